using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace KdcHa.Vip;

/// <summary>
/// A VIP without keepalived: check that nobody holds the address (RFC 5227 probe), add it through netlink, and
/// announce it so every neighbour cache moves to this interface at once instead of after its entry goes stale.
/// </summary>
public sealed class DirectVip
{
    // RFC 5227 waits seconds (PROBE_WAIT, PROBE_MIN..MAX, ANNOUNCE_WAIT) for links with sleeping hosts; a VIP move is
    // a planned change on a server LAN where a holder answers in well under a millisecond, so it waits 300 ms in all.
    public const int ProbeCount = 3;
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(100);

    private readonly IInterfaceAddressTable _addresses;
    private readonly ILinkLayer _linkLayer;

    public DirectVip(IInterfaceAddressTable addresses, ILinkLayer linkLayer)
    {
        _addresses = addresses ?? throw new ArgumentNullException(nameof(addresses));
        _linkLayer = linkLayer ?? throw new ArgumentNullException(nameof(linkLayer));
    }

    /// <summary>Direct mode on this host: the kernel's addresses through netlink, ARP and neighbour advertisements from a packet socket.</summary>
    public static DirectVip OnThisHost() => new(new NetlinkRouteSocket(), new PacketSocket());

    /// <exception cref="AddressInUseException">Another host answered the probe (never with Force).</exception>
    /// <exception cref="NetlinkException">The kernel refused the address.</exception>
    public DirectVipResult Take(DirectVipRequest request, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var address = request.Address;
        var probed = false;
        if (!request.Force && !address.IsIPv6)
        {
            EnsureFree(request, cancellationToken);
            probed = true;
        }

        var changed = true;
        try
        {
            _addresses.Add(request.Link, address);
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.AddressExists)
        {
            // Already ours: announcing again is what a caller repeating the move wants (a cache that missed the first).
            changed = false;
        }

        var sent = Announce(request, cancellationToken);
        return new DirectVipResult
        {
            Operation = "Take",
            Interface = request.Link.Name,
            Address = address.ToString(),
            MacAddress = request.Link.MacText,
            Changed = changed,
            Probed = probed,
            Announcements = sent,
            Started = started,
            DurationMilliseconds = clock.Elapsed.TotalMilliseconds,
            Message = $"{address} is on {request.Link.Name} ({request.Link.MacText}){(changed ? string.Empty : " already")}; " +
                      $"{sent} {(address.IsIPv6 ? "unsolicited neighbour advertisements" : "gratuitous ARP announcements")} sent.",
        };
    }

    public DirectVipResult Release(LinkInterface link, InterfaceAddress address)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var removed = _addresses.Remove(link, address);
        return new DirectVipResult
        {
            Operation = "Release",
            Interface = link.Name,
            Address = address.ToString(),
            MacAddress = link.MacText,
            Changed = removed,
            Started = started,
            DurationMilliseconds = clock.Elapsed.TotalMilliseconds,
            Message = removed ? $"{address} removed from {link.Name}." : $"{link.Name} did not have {address}; nothing changed.",
        };
    }

    private void EnsureFree(DirectVipRequest request, CancellationToken cancellationToken)
    {
        var ownMac = request.Link.MacAddress;
        var target = request.Address.Address;
        using var channel = _linkLayer.Open(request.Link, ArpFrame.EtherType);
        var buffer = new byte[2048];
        for (var probe = 0; probe < ProbeCount; probe++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            channel.Send(ArpFrame.Probe(ownMac, target));
            var until = Stopwatch.StartNew();
            while (until.Elapsed < ProbeInterval)
            {
                var length = channel.Receive(buffer, ProbeInterval - until.Elapsed);
                if (length > 0 && ArpFrame.TryParse(buffer, length, out var packet)
                    && packet!.SenderAddress.Equals(target) && !packet.SenderMac.SequenceEqual(ownMac))
                {
                    throw new AddressInUseException(request.Address, request.Link.Name, LinkInterface.FormatMac(packet.SenderMac));
                }
            }
        }
    }

    private int Announce(DirectVipRequest request, CancellationToken cancellationToken)
    {
        var v6 = request.Address.IsIPv6;
        var frame = v6
            ? NeighbourAdvertisementFrame.Build(request.Link.MacAddress, request.Address.Address)
            : ArpFrame.Announcement(request.Link.MacAddress, request.Address.Address);
        using var channel = _linkLayer.Open(request.Link, v6 ? NeighbourAdvertisementFrame.EtherType : ArpFrame.EtherType);
        for (var sent = 0; sent < request.Count; sent++)
        {
            if (sent > 0 && cancellationToken.WaitHandle.WaitOne(request.Interval))
            {
                return sent;
            }

            channel.Send(frame);
        }

        return request.Count;
    }
}

/// <summary>What Move-KdcVip -Direct takes: an address on an interface, announced Count times Interval apart.</summary>
public sealed record DirectVipRequest(LinkInterface Link, InterfaceAddress Address)
{
    public bool Force { get; init; }

    public int Count { get; init; } = 3;

    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(200);
}

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

/// <summary>Opens Ethernet-level channels on an interface for one EtherType (ARP, IPv6).</summary>
public interface ILinkLayer
{
    ILinkLayerChannel Open(LinkInterface link, ushort etherType);
}

/// <summary>Whole Ethernet frames in and out of one interface.</summary>
public interface ILinkLayerChannel : IDisposable
{
    void Send(byte[] frame);

    /// <summary>The length of the next frame copied into <paramref name="buffer"/>, or 0 when none came within <paramref name="timeout"/>.</summary>
    int Receive(byte[] buffer, TimeSpan timeout);
}

/// <summary>The kernel's interface addresses, changed the way <c>ip addr add|del</c> changes them.</summary>
public interface IInterfaceAddressTable
{
    /// <exception cref="NetlinkException">The kernel refused; errno 17 (EEXIST) when the address is already there.</exception>
    void Add(LinkInterface link, InterfaceAddress address);

    /// <summary>False when the interface does not have the address.</summary>
    /// <exception cref="NetlinkException">The kernel refused.</exception>
    bool Remove(LinkInterface link, InterfaceAddress address);
}
