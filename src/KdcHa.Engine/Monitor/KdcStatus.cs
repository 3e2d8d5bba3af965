using System;

namespace KdcHa.Monitor;

/// <summary>One probed KDC as the monitor last saw it.</summary>
public sealed class KdcStatus
{
    public string Kdc { get; set; } = string.Empty;

    public bool IsLocal { get; set; }

    public string State { get; set; } = string.Empty;

    public DateTime? StateSince { get; set; }

    public string LastProbeStatus { get; set; } = string.Empty;

    public double LastRoundTripMilliseconds { get; set; }

    public DateTime? LastProbe { get; set; }

    public int ConsecutiveFailures { get; set; }

    public string LastMessage { get; set; } = string.Empty;
}
