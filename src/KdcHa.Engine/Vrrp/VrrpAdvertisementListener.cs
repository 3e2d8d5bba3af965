using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>
/// Hears every VRRP advertisement on one interface, IPv4 (224.0.0.18 or unicast) and IPv6 (ff02::12 or unicast).
/// Needs CAP_NET_RAW (root). IPv4 comes from a raw socket for protocol 112, so it is what this host's firewall lets
/// in; IPv6 from a packet socket for IPv6 frames, because a raw IPv6 socket hands over no IPv6 header and so neither
/// the hop limit nor the destination a conforming advertisement is checked by.
/// </summary>
/// <remarks>
/// The sockets are made with libc directly: .NET's Socket refuses protocol numbers it has no ProtocolType for, and
/// one poll(2) over every socket and an eventfd needs the bare descriptors. One background thread per listener waits in poll(2) on the
/// sockets and an eventfd that Dispose signals, so an idle listener costs no wake-ups, and queues what parses;
/// <see cref="ReceiveAsync"/> takes from that queue, so a cancelled wait loses nothing. Packet sockets carry a
/// kernel filter that passes only IP protocol 112, so other traffic on the link never wakes the thread.
/// </remarks>
public sealed class VrrpAdvertisementListener : IVrrpAdvertisementSource
{
    private const int SockRaw = 3;
    private const int SockDgram = 2;
    private const int EventFdCloseOnExec = 0x80000;
    private const int EventFdNonBlocking = 0x800;
    private const int ReceiveDontWait = 0x40;

    // Ethertypes in network byte order as socket(2) and sockaddr_ll take them. ETH_P_ALL is the only one a packet
    // socket is also handed this host's own outgoing frames for.
    private const ushort EthernetAllProtocols = 0x0300;
    private const ushort EthernetIPv6 = 0xDD86;
    private const int SolSocket = 1;
    private const int SolPacket = 263;
    private const int SoBindToDevice = 25;
    private const int PacketAddMembership = 1;
    private const int PacketMembershipMulticast = 0;
    private const int IpProtoIp = 0;
    private const int IpAddMembership = 35;

    // Beyond this, a reader that stopped reading loses the oldest advertisements rather than the process its memory.
    private const int MaximumQueued = 4096;

    // The VRRP groups' Ethernet addresses (224.0.0.18 and ff02::12), which a NIC's multicast filter must pass.
    private static readonly byte[][] VrrpGroupMacAddresses =
    {
        new byte[] { 0x01, 0x00, 0x5E, 0x00, 0x00, 0x12 },
        new byte[] { 0x33, 0x33, 0x00, 0x00, 0x00, 0x12 },
    };

    private readonly ConcurrentQueue<VrrpAdvertisement> _heard = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly List<int> _sockets = new();
    private readonly int _wake = -1;
    private readonly Thread _receiver;
    private ExceptionDispatchInfo? _failure;
    private int _stopping;
    private int _finished;

    /// <exception cref="VrrpPermissionException">The process may not open raw sockets.</exception>
    /// <exception cref="VrrpInterfaceNotFoundException">No such interface in this network namespace.</exception>
    public VrrpAdvertisementListener(string interfaceName)
        : this(interfaceName, linkLayer: false)
    {
    }

    private VrrpAdvertisementListener(string interfaceName, bool linkLayer)
    {
        InterfaceName = interfaceName;
        var index = InterfaceIndex(interfaceName);
        try
        {
            if (linkLayer)
            {
                OpenPacketSocket(index, EthernetAllProtocols);
            }
            else
            {
                OpenRawIPv4Socket(interfaceName, index);
                OpenPacketSocket(index, EthernetIPv6);
            }

            _wake = LibC.EventFd(0, EventFdCloseOnExec | EventFdNonBlocking);
            if (_wake < 0)
            {
                throw Failure("Creating the listener's wake-up eventfd", Marshal.GetLastWin32Error());
            }
        }
        catch
        {
            CloseDescriptors();
            throw;
        }

        _receiver = new Thread(ReceiveUntilStopped) { IsBackground = true, Name = $"VRRP listener on {interfaceName}" };
        _receiver.Start();
    }

    public string InterfaceName { get; }

    /// <summary>
    /// Hears the advertisements crossing <paramref name="interfaceName"/> in both directions, this host's own included,
    /// before the host firewall sees them. A node can then report a split brain its firewall causes (the classic
    /// cause: VRRP dropped on input), which a raw IP socket behind that firewall never hears.
    /// </summary>
    /// <exception cref="VrrpPermissionException">The process may not open packet sockets.</exception>
    /// <exception cref="VrrpInterfaceNotFoundException">No such interface in this network namespace.</exception>
    public static VrrpAdvertisementListener OnLink(string interfaceName) => new(interfaceName, linkLayer: true);

    /// <summary>The next advertisement heard; null once disposed. Throws what stopped the listener if it failed.</summary>
    public async Task<VrrpAdvertisement?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_heard.TryDequeue(out var advertisement))
            {
                return advertisement;
            }

            if (Volatile.Read(ref _finished) == 1)
            {
                // Every later call ends the same way.
                _available.Release();
                _failure?.Throw();
                return null;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            return;
        }

        var one = BitConverter.GetBytes(1UL);
        LibC.Write(_wake, one, (UIntPtr)one.Length);
        _receiver.Join();
        CloseDescriptors();
    }

    private void ReceiveUntilStopped()
    {
        var buffer = new byte[65535];
        var polls = _sockets.Append(_wake).Select(descriptor => new LibC.PollDescriptor { Descriptor = descriptor, Events = LibC.PollIn }).ToArray();
        try
        {
            while (Volatile.Read(ref _stopping) == 0)
            {
                for (var i = 0; i < polls.Length; i++)
                {
                    polls[i].ReturnedEvents = 0;
                }

                if (LibC.Poll(polls, (ulong)polls.Length, -1) < 0)
                {
                    var errno = Marshal.GetLastWin32Error();
                    if (errno == LibC.Interrupted)
                    {
                        continue;
                    }

                    throw Failure("Waiting for VRRP packets", errno);
                }

                for (var i = 0; i < _sockets.Count; i++)
                {
                    if (polls[i].ReturnedEvents != 0)
                    {
                        ReceiveReady(polls[i].Descriptor, buffer);
                    }
                }
            }
        }
        catch (Exception e) when (e is VrrpSourceUnavailableException or VrrpPermissionException)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            Volatile.Write(ref _finished, 1);
            _available.Release();
        }
    }

    private void ReceiveReady(int socket, byte[] buffer)
    {
        // Everything queued in the kernel, then back to poll. An error (ENETDOWN when the link drops) is reported by
        // recv once and cleared, and the socket hears again when the link returns: not a reason to stop listening.
        while (true)
        {
            var count = (int)LibC.Receive(socket, buffer, (UIntPtr)buffer.Length, ReceiveDontWait);
            if (count < 0)
            {
                return;
            }

            if (count > 0 && VrrpAdvertisement.TryParse(new ReadOnlySpan<byte>(buffer, 0, count), DateTime.UtcNow, out var advertisement))
            {
                _heard.Enqueue(advertisement!);
                while (_heard.Count > MaximumQueued && _heard.TryDequeue(out _))
                {
                }

                _available.Release();
            }
        }
    }

    private void OpenRawIPv4Socket(string interfaceName, int interfaceIndex)
    {
        var socket = OpenSocket(LinuxAddressFamily.Inet, SockRaw, VrrpAdvertisement.ProtocolNumber, "Opening a raw VRRP socket");
        var name = Encoding.ASCII.GetBytes(interfaceName + "\0");
        if (LibC.SetSocketOption(socket, SolSocket, SoBindToDevice, name, (uint)name.Length) != 0)
        {
            throw Failure($"Binding the VRRP socket to {interfaceName}", Marshal.GetLastWin32Error());
        }

        // struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex; }
        var membership = new byte[12];
        IPAddress.Parse("224.0.0.18").GetAddressBytes().CopyTo(membership, 0);
        BitConverter.GetBytes(interfaceIndex).CopyTo(membership, 8);
        if (LibC.SetSocketOption(socket, IpProtoIp, IpAddMembership, membership, (uint)membership.Length) != 0)
        {
            throw Failure($"Joining 224.0.0.18 on {interfaceName}", Marshal.GetLastWin32Error());
        }
    }

    private void OpenPacketSocket(int interfaceIndex, ushort ethernetProtocol)
    {
        var socket = OpenSocket(LinuxAddressFamily.Packet, SockDgram, ethernetProtocol, "Opening a packet socket");
        if (!VrrpPacketFilter.TryAttach(socket, out var filterErrno))
        {
            throw Failure($"Filtering the packet socket on {InterfaceName}", filterErrno);
        }

        var address = PacketSocketAddress.Of(interfaceIndex, ethernetProtocol);
        if (LibC.Bind(socket, address, (uint)address.Length) != 0)
        {
            throw Failure($"Binding the packet socket to {InterfaceName}", Marshal.GetLastWin32Error());
        }

        foreach (var group in VrrpGroupMacAddresses)
        {
            // struct packet_mreq { int ifindex; u16 type; u16 alen; u8 address[8]; }
            var membership = new byte[16];
            BitConverter.GetBytes(interfaceIndex).CopyTo(membership, 0);
            BitConverter.GetBytes((ushort)PacketMembershipMulticast).CopyTo(membership, 4);
            BitConverter.GetBytes((ushort)group.Length).CopyTo(membership, 6);
            group.CopyTo(membership, 8);
            if (LibC.SetSocketOption(socket, SolPacket, PacketAddMembership, membership, (uint)membership.Length) != 0)
            {
                throw Failure($"Joining the VRRP multicast groups on {InterfaceName}", Marshal.GetLastWin32Error());
            }
        }
    }

    private int OpenSocket(int domain, int type, int protocol, string action)
    {
        var socket = LibC.Socket(domain, type | LibC.SocketCloseOnExec, protocol);
        if (socket < 0)
        {
            throw Failure(action, Marshal.GetLastWin32Error());
        }

        _sockets.Add(socket);
        return socket;
    }

    private void CloseDescriptors()
    {
        foreach (var descriptor in _sockets.Append(_wake).Where(descriptor => descriptor >= 0))
        {
            LibC.Close(descriptor);
        }

        _sockets.Clear();
    }

    private static Exception Failure(string action, int errno) => errno is LibC.PermissionDenied or LibC.AccessDenied
        ? new VrrpPermissionException($"{action} needs root or CAP_NET_RAW (errno {errno}).")
        : new VrrpSourceUnavailableException($"{action} failed with errno {errno}.");

    private static int InterfaceIndex(string interfaceName)
    {
        // /sys/class/net shows the interfaces of the reader's network namespace, as the socket will.
        var path = $"/sys/class/net/{interfaceName}/ifindex";
        if (interfaceName.IndexOfAny(new[] { '/', '\0' }) >= 0 || interfaceName is "." or ".." || !File.Exists(path))
        {
            throw new VrrpInterfaceNotFoundException(interfaceName);
        }

        return int.Parse(File.ReadAllText(path).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Where VRRP advertisements are heard: a socket on an interface in production, a script in unit tests.</summary>
public interface IVrrpAdvertisementSource : IDisposable
{
    /// <summary>The next advertisement; null once disposed. Cancelling loses no packet: it waits for the next call.</summary>
    Task<VrrpAdvertisement?> ReceiveAsync(CancellationToken cancellationToken);
}
