using System.Collections.Generic;

namespace KdcHa.Monitor;

/// <summary>Publishes every event to several sinks in order (the pipeline queue, then notifications).</summary>
public sealed class FanOutEventSink : IMonitorEventSink
{
    private readonly IReadOnlyList<IMonitorEventSink> _sinks;

    public FanOutEventSink(params IMonitorEventSink[] sinks)
    {
        _sinks = sinks;
    }

    public void Publish(MonitorEvent monitorEvent)
    {
        foreach (var sink in _sinks)
        {
            sink.Publish(monitorEvent);
        }
    }
}
