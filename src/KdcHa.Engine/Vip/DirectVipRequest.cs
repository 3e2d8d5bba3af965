using System;

namespace KdcHa.Vip;

/// <summary>What Move-KdcVip -Direct takes: an address on an interface, announced Count times Interval apart.</summary>
public sealed record DirectVipRequest(LinkInterface Link, InterfaceAddress Address)
{
    public bool Force { get; init; }

    public int Count { get; init; } = 3;

    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(200);
}
