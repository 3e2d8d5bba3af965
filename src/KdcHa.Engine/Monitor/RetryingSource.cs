using System;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Monitor;

/// <summary>
/// How a watcher keeps its source: opened, used until it ends or fails, then opened again after a delay, for as long
/// as the monitor runs. A failure is published once until the source works again, so a source retried every second
/// does not flood the pipeline with the same warning.
/// </summary>
internal sealed class RetryingSource
{
    private readonly string _node;
    private readonly string _source;
    private readonly IMonitorEventSink _events;
    private readonly IMonitorClock _clock;
    private readonly TimeSpan _retryDelay;
    private string? _lastError;

    public RetryingSource(string node, string source, IMonitorEventSink events, IMonitorClock clock, TimeSpan retryDelay)
    {
        _node = node;
        _source = source;
        _events = events;
        _clock = clock;
        _retryDelay = retryDelay;
    }

    /// <summary>
    /// Opens the source with <paramref name="open"/> and hands it to <paramref name="use"/>, again and again until
    /// cancelled. Failures for which <paramref name="isQuiet"/> is true are a normal state of affairs, not warnings.
    /// </summary>
    public async Task RunAsync<TSource>(Func<TSource> open, Func<TSource, CancellationToken, Task> use, Func<Exception, bool> isQuiet, CancellationToken cancellationToken)
        where TSource : IDisposable
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var source = open();
                _lastError = null;
                await use(source, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!isQuiet(e))
            {
                Report(e);
            }
            catch (Exception)
            {
                // Quiet: retried without a word.
            }

            try
            {
                await _clock.DelayAsync(_retryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Report(Exception error)
    {
        if (error.Message == _lastError)
        {
            return;
        }

        _lastError = error.Message;
        _events.Publish(new MonitorSourceFailedEvent(_node, _clock.UtcNow, _source, error.Message));
    }
}
