using System;

namespace KdcHa.Monitor;

/// <summary>The monitor set or cleared the node's FAULT flag for keepalived.</summary>
public sealed class FaultChangedEvent : MonitorEvent
{
    public FaultChangedEvent(string node, DateTime timestamp, bool fault, string reason)
        : base(node, timestamp, fault ? MonitorEventSeverity.Warning : MonitorEventSeverity.Information,
            (fault ? "FAULT set: " : "FAULT cleared: ") + reason)
    {
        Fault = fault;
        Reason = reason;
    }

    public override string EventType => "FaultChanged";

    public bool Fault { get; }

    public string Reason { get; }
}
