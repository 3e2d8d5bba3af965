using System;
using System.Collections.Generic;

namespace KdcHa.Monitor;

/// <summary>
/// The monitor's status as other processes see it (Get-KdcHaMonitor, scripts): written to a JSON file after every
/// probe round.
/// </summary>
public sealed class MonitorStatus
{
    public string Node { get; set; } = string.Empty;

    public int ProcessId { get; set; }

    /// <summary>Running or Stopped.</summary>
    public string State { get; set; } = string.Empty;

    public DateTime Started { get; set; }

    public DateTime Updated { get; set; }

    public int IntervalMilliseconds { get; set; }

    public bool Fault { get; set; }

    public DateTime? FaultSince { get; set; }

    public bool AllKdcsDown { get; set; }

    public string Reason { get; set; } = string.Empty;

    public long Rounds { get; set; }

    public List<KdcStatus> Kdcs { get; set; } = new();

    /// <summary>keepalived's instances as its notify FIFO last reported them; empty without a FIFO.</summary>
    public List<VrrpInstanceStatus> Vrrp { get; set; } = new();

    /// <summary>Split brains heard on the VRRP wire and not yet over.</summary>
    public List<SplitBrainStatus> SplitBrains { get; set; } = new();

    /// <summary>Filled in by the reader: a running monitor whose file is older than a few intervals has stalled or died.</summary>
    public bool IsStale { get; set; }

    public string Path { get; set; } = string.Empty;
}
