using System;

namespace KdcHa.Monitor;

/// <summary>
/// Publishes a watcher's failure once until the source works again, so a source retried every second does not
/// flood the pipeline with the same warning.
/// </summary>
internal sealed class SourceFailureReporter
{
    private readonly string _node;
    private readonly string _source;
    private readonly IMonitorEventSink _events;
    private readonly IMonitorClock _clock;
    private string? _lastError;

    public SourceFailureReporter(string node, string source, IMonitorEventSink events, IMonitorClock clock)
    {
        _node = node;
        _source = source;
        _events = events;
        _clock = clock;
    }

    public void Report(Exception error)
    {
        if (error.Message == _lastError)
        {
            return;
        }

        _lastError = error.Message;
        _events.Publish(new MonitorSourceFailedEvent(_node, _clock.UtcNow, _source, error.Message));
    }

    public void Recovered() => _lastError = null;
}
