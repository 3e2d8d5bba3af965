using System;
using System.Collections.Generic;
using System.Globalization;

namespace KdcHa.Monitor;

/// <summary>Several routers advertised as master for one virtual router id at once: published once per episode.</summary>
public sealed class SplitBrainSuspectedEvent : MonitorEvent
{
    // The start time is in the message so each episode is a distinct alert, not a duplicate the dispatcher drops.
    public SplitBrainSuspectedEvent(string node, DateTime timestamp, int virtualRouterId, IReadOnlyList<string> masters, DateTime since)
        : base(node, timestamp, MonitorEventSeverity.Critical,
            $"Split brain suspected on VRID {virtualRouterId} since {since.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} UTC: {string.Join(", ", masters)} all advertise as master.")
    {
        VirtualRouterId = virtualRouterId;
        Masters = masters;
        Since = since;
    }

    public override string EventType => "SplitBrainSuspected";

    public int VirtualRouterId { get; }

    public IReadOnlyList<string> Masters { get; }

    /// <summary>When both masters were first heard together.</summary>
    public DateTime Since { get; }
}
