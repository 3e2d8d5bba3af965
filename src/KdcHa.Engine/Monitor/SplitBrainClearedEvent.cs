using System;

namespace KdcHa.Monitor;

/// <summary>The split brain a <see cref="SplitBrainSuspectedEvent"/> reported is over: one master, or none, is heard.</summary>
public sealed class SplitBrainClearedEvent : MonitorEvent
{
    public SplitBrainClearedEvent(string node, DateTime timestamp, int virtualRouterId, DateTime suspectedSince)
        : base(node, timestamp, MonitorEventSeverity.Information,
            $"Split brain on VRID {virtualRouterId} is over after {(timestamp - suspectedSince).TotalSeconds:0.#} s: at most one master advertises.")
    {
        VirtualRouterId = virtualRouterId;
        SuspectedSince = suspectedSince;
    }

    public override string EventType => "SplitBrainCleared";

    public int VirtualRouterId { get; }

    public DateTime SuspectedSince { get; }
}
