using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Vrrp;

namespace KdcHa.Monitor;

/// <summary>
/// Turns keepalived's notify FIFO into <see cref="VrrpStateChangedEvent"/>s and the status file's VRRP section.
/// A FIFO that cannot be opened is retried: keepalived creates it when it starts, which may be after the monitor.
/// </summary>
public sealed class NotifyFifoWatcher : IMonitorWatcher
{
    private readonly string _node;
    private readonly Func<IVrrpNotificationSource> _open;
    private readonly VrrpObservations _observations;
    private readonly IMonitorEventSink _events;
    private readonly IMonitorClock _clock;
    private readonly TimeSpan _retryDelay;
    private readonly SourceFailureReporter _failures;

    public NotifyFifoWatcher(string node, string description, Func<IVrrpNotificationSource> open, VrrpObservations observations, IMonitorEventSink events, IMonitorClock clock, TimeSpan retryDelay)
    {
        _node = node;
        _open = open;
        _observations = observations;
        _events = events;
        _clock = clock;
        _retryDelay = retryDelay;
        _failures = new SourceFailureReporter(node, description, events, clock);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var source = _open();
                _failures.Recovered();
                while (await source.ReadAsync(cancellationToken).ConfigureAwait(false) is { } notification)
                {
                    Observe(notification);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // keepalived has not created the FIFO yet: not worth a warning, it is the normal start order.
            }
            catch (Exception e)
            {
                _failures.Report(e);
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

    public void Observe(VrrpNotification notification)
    {
        var now = _clock.UtcNow;
        if (_observations.Record(notification, now) is { } previous)
        {
            _events.Publish(new VrrpStateChangedEvent(_node, now, notification.Name, previous, notification.State, notification.Priority));
        }
    }
}
