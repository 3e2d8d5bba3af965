using System;

namespace KdcHa.Monitor;

/// <summary>
/// A side source (notify FIFO, VRRP listener, notification spool) failed. The probe loop and failover go on; the
/// source is retried, and the same failure is reported once, not on every retry.
/// </summary>
public sealed class MonitorSourceFailedEvent : MonitorEvent
{
    public MonitorSourceFailedEvent(string node, DateTime timestamp, string source, string error)
        : base(node, timestamp, MonitorEventSeverity.Warning, $"{source}: {error}")
    {
        Source = source;
        Error = error;
    }

    public override string EventType => "MonitorSourceFailed";

    public string Source { get; }

    public string Error { get; }
}
