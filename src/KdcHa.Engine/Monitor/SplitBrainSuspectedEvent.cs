using System;
using System.Collections.Generic;

namespace KdcHa.Monitor;

/// <summary>Several routers advertised as master for one virtual router id at once: published once per episode.</summary>
public sealed class SplitBrainSuspectedEvent : MonitorEvent
{
    public SplitBrainSuspectedEvent(string node, DateTime timestamp, int virtualRouterId, IReadOnlyList<string> masters)
        : base(node, timestamp, MonitorEventSeverity.Critical, $"Split brain suspected on VRID {virtualRouterId}: {string.Join(", ", masters)} all advertise as master.")
    {
        VirtualRouterId = virtualRouterId;
        Masters = masters;
    }

    public override string EventType => "SplitBrainSuspected";

    public int VirtualRouterId { get; }

    public IReadOnlyList<string> Masters { get; }
}
