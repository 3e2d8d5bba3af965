using System;

namespace KdcHa.Monitor;

public sealed class MonitorStoppedEvent : MonitorEvent
{
    public MonitorStoppedEvent(string node, DateTime timestamp, string reason, bool faultLeftSet)
        : base(node, timestamp, MonitorEventSeverity.Warning,
            $"Stopped: {reason} Fault flag left {(faultLeftSet ? "set (the local KDC is down)" : "clear")}; heartbeat withdrawn, so a supervised peer takes the VIP.")
    {
        Reason = reason;
        FaultLeftSet = faultLeftSet;
    }

    public override string EventType => "MonitorStopped";

    public string Reason { get; }

    public bool FaultLeftSet { get; }
}
