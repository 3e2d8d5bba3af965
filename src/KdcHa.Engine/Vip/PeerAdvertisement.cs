using System;
using System.Net;

namespace KdcHa.Vip;

/// <summary>One VRRP advertisement heard on the wire: only a master sends them.</summary>
public sealed class PeerAdvertisement
{
    public PeerAdvertisement(IPAddress source, int virtualRouterId, int priority, DateTime receivedUtc)
    {
        Source = source ?? throw new ArgumentNullException(nameof(source));
        VirtualRouterId = virtualRouterId;
        Priority = priority;
        ReceivedUtc = receivedUtc;
    }

    public IPAddress Source { get; }

    public int VirtualRouterId { get; }

    /// <summary>0 means the sender is leaving the master role.</summary>
    public int Priority { get; }

    public DateTime ReceivedUtc { get; }

    public override string ToString() => $"{Source} (priority {Priority})";
}
