using System;

namespace KdcHa.Monitor;

/// <summary>Every KDC of the group is down (Critical), or the first one came back (Resolved).</summary>
public sealed class AllKdcsDownEvent : MonitorEvent
{
    public AllKdcsDownEvent(string node, DateTime timestamp, bool resolved, string reason)
        : base(node, timestamp, resolved ? MonitorEventSeverity.Information : MonitorEventSeverity.Critical,
            resolved ? "A KDC is up again: " + reason : "Every KDC is down; the VIP is kept where it is. " + reason)
    {
        Resolved = resolved;
    }

    public override string EventType => "AllKdcsDown";

    public bool Resolved { get; }
}
