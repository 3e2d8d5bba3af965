using System;
using System.Collections.Generic;
using System.Net.Sockets;

namespace KdcHa.Vrrp;

/// <summary>Two or more routers advertising as master for one virtual router (an id within one address family) at the same time.</summary>
public sealed class SplitBrainReport
{
    public SplitBrainReport(AddressFamily family, int virtualRouterId, IReadOnlyList<string> masters, DateTime detectedUtc)
    {
        Family = family;
        VirtualRouterId = virtualRouterId;
        Masters = masters;
        DetectedUtc = detectedUtc;
    }

    public AddressFamily Family { get; }

    public int VirtualRouterId { get; }

    /// <summary>The advertising routers' addresses, sorted.</summary>
    public IReadOnlyList<string> Masters { get; }

    /// <summary>The second-earliest of the masters' latest advertisements: from then on, two masters were heard at once.</summary>
    public DateTime DetectedUtc { get; }

    public override string ToString() => $"{VirtualRouterName.Of(Family, VirtualRouterId)}: {string.Join(", ", Masters)} all advertise as master";
}
