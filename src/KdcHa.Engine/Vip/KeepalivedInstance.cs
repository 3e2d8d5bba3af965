using System;
using System.Collections.Generic;
using System.Net;

namespace KdcHa.Vip;

/// <summary>The parts of a <c>vrrp_instance</c> block that a switchover needs.</summary>
public sealed class KeepalivedInstance
{
    public string Name { get; init; } = string.Empty;

    public string? Interface { get; init; }

    public int VirtualRouterId { get; init; }

    public int Priority { get; init; }

    public bool Preempt { get; init; } = true;

    public IReadOnlyList<IPAddress> VirtualAddresses { get; init; } = Array.Empty<IPAddress>();

    public IReadOnlyList<KeepalivedTrackFileReference> TrackFiles { get; init; } = Array.Empty<KeepalivedTrackFileReference>();
}
