using System;
using System.Collections.Generic;

namespace KdcHa.Monitor;

public sealed class MonitorStartedEvent : MonitorEvent
{
    public MonitorStartedEvent(string node, DateTime timestamp, int processId, IReadOnlyList<string> kdcs, int intervalMilliseconds)
        : base(node, timestamp, MonitorEventSeverity.Information,
            $"Monitoring {string.Join(", ", kdcs)} every {intervalMilliseconds} ms (pid {processId}).")
    {
        ProcessId = processId;
        Kdcs = kdcs;
        IntervalMilliseconds = intervalMilliseconds;
    }

    public override string EventType => "MonitorStarted";

    public int ProcessId { get; }

    public IReadOnlyList<string> Kdcs { get; }

    public int IntervalMilliseconds { get; }
}
