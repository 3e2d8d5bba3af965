using System;
using System.Collections.Generic;
using System.Net;

namespace KdcHa.Vip;

/// <summary>A move of one instance's VIP away from this node.</summary>
public sealed class SwitchoverRequest
{
    public SwitchoverRequest(MaintenanceTrack track)
    {
        Track = track ?? throw new ArgumentNullException(nameof(track));
    }

    public MaintenanceTrack Track { get; }

    /// <summary>The addresses the new master may advertise from; empty accepts any peer.</summary>
    public IReadOnlyCollection<IPAddress> To { get; init; } = Array.Empty<IPAddress>();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Demote even when this node does not hold the VIP, and stay demoted when no healthy peer took over in time
    /// instead of rolling back.
    /// </summary>
    public bool Force { get; init; }

    public IPAddress VirtualAddress => Track.Instance.VirtualAddresses[0];
}
