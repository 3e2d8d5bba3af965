using System;

namespace KdcHa.Vip;

/// <summary>The outcome of a direct take or release; flat so ConvertTo-Json gives automation one object.</summary>
public sealed record DirectVipResult
{
    /// <summary>Take or Release.</summary>
    public string Operation { get; init; } = string.Empty;

    public string Interface { get; init; } = string.Empty;

    /// <summary>The address with its prefix, e.g. 192.0.2.10/32.</summary>
    public string Address { get; init; } = string.Empty;

    /// <summary>This interface's Ethernet address, which neighbours now map the address to (Take).</summary>
    public string MacAddress { get; init; } = string.Empty;

    /// <summary>True when the address was added or removed; false when it was already there (Take) or already gone (Release).</summary>
    public bool Changed { get; init; }

    /// <summary>True when an RFC 5227 ARP probe found the address free before it was added (false with -Force, IPv6 or Release).</summary>
    public bool Probed { get; init; }

    /// <summary>Gratuitous ARP or unsolicited neighbour advertisements sent.</summary>
    public int Announcements { get; init; }

    public DateTime Started { get; init; }

    public double DurationMilliseconds { get; init; }

    public string Message { get; init; } = string.Empty;
}
