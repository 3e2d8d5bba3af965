using System;
using System.Collections.Generic;

namespace KdcHa.Vrrp;

/// <summary>Two or more routers advertising as master for one virtual router id at the same time.</summary>
public sealed class SplitBrainReport
{
    public SplitBrainReport(int virtualRouterId, IReadOnlyList<string> masters, DateTime detectedUtc)
    {
        VirtualRouterId = virtualRouterId;
        Masters = masters;
        DetectedUtc = detectedUtc;
    }

    public int VirtualRouterId { get; }

    /// <summary>The advertising routers' addresses, sorted.</summary>
    public IReadOnlyList<string> Masters { get; }

    /// <summary>The second-earliest of the masters' latest advertisements: from then on, two masters were heard at once.</summary>
    public DateTime DetectedUtc { get; }

    public override string ToString() => $"VRID {VirtualRouterId}: {string.Join(", ", Masters)} all advertise as master";
}
