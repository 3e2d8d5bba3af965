using System;

namespace KdcHa.Monitor;

/// <summary>
/// Something the monitor saw or did. Written to the pipeline and to notification channels; enumerations are exposed
/// as names so the objects serialise cleanly (ConvertTo-Json, Send-KdcHaNotification).
/// </summary>
public abstract class MonitorEvent
{
    protected MonitorEvent(string node, DateTime timestamp, MonitorEventSeverity severity, string message)
    {
        Node = node;
        Timestamp = timestamp;
        Severity = severity.ToString();
        Message = message;
    }

    /// <summary>The event's kind, such as HealthChanged: what notification routing and log filters key on.</summary>
    public abstract string EventType { get; }

    public string Node { get; }

    public DateTime Timestamp { get; }

    public string Severity { get; }

    public string Message { get; }
}
