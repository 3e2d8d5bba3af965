using System;
using System.Collections.Generic;

namespace KdcHa.Vrrp;

/// <summary>A router heard on the wire for one virtual router id: what its latest advertisement said.</summary>
public sealed class VrrpPeer
{
    public VrrpPeer(string address, int priority, double advertisementIntervalSeconds, int version, IReadOnlyList<string> virtualIPAddresses, DateTime lastSeenUtc)
    {
        Address = address;
        Priority = priority;
        AdvertisementIntervalSeconds = advertisementIntervalSeconds;
        Version = version;
        VirtualIPAddresses = virtualIPAddresses;
        LastSeenUtc = lastSeenUtc;
    }

    public string Address { get; }

    public int Priority { get; }

    public double AdvertisementIntervalSeconds { get; }

    public int Version { get; }

    public IReadOnlyList<string> VirtualIPAddresses { get; }

    public DateTime LastSeenUtc { get; }

    /// <summary>Only a master advertises with a priority above 0; priority 0 is a master resigning.</summary>
    public bool IsMaster => Priority > 0;

    public override string ToString() => $"{Address} ({Priority})";
}
