using System;
using System.IO;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>
/// Hears every IPv4 VRRP advertisement on one interface: a raw socket for protocol 112, bound to the interface with
/// SO_BINDTODEVICE, member of 224.0.0.18 there. Needs CAP_NET_RAW (root). IPv6 (VRRPv3 to ff02::12) is not heard:
/// keepalived's IPv6 instances are outside what this listener reports.
/// </summary>
/// <remarks>
/// The socket is made with libc directly: .NET's Socket refuses protocol numbers it has no ProtocolType for
/// ("Protocol not supported"), and netstandard2.0 cannot wrap a foreign descriptor. Receiving polls in short
/// slices so cancellation is seen promptly; packets wait in the kernel meanwhile, so none is lost.
/// </remarks>
public sealed class VrrpAdvertisementListener : IVrrpAdvertisementSource
{
    private const int AfInet = 2;
    private const int AfPacket = 17;
    private const int SockRaw = 3;
    private const int SockDgram = 2;

    // ETH_P_ALL in network byte order: only an all-protocols packet socket is handed the frames this host sends.
    private const int EthernetAllProtocols = 0x0300;
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int IpProtoIp = 0;
    private const int IpAddMembership = 35;
    private const int PollSliceMilliseconds = 50;

    private readonly byte[] _buffer = new byte[65535];
    private int _socket;

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
        _socket = linkLayer ? LibC.Socket(AfPacket, SockDgram, EthernetAllProtocols) : LibC.Socket(AfInet, SockRaw, VrrpAdvertisement.ProtocolNumber);
        if (_socket < 0)
        {
            throw Failure(linkLayer ? "Opening a packet socket" : "Opening a raw VRRP socket", Marshal.GetLastWin32Error());
        }

        try
        {
            if (linkLayer)
            {
                BindToLink(index);
                return;
            }

            var name = Encoding.ASCII.GetBytes(interfaceName + "\0");
            if (LibC.SetSocketOption(_socket, SolSocket, SoBindToDevice, name, (uint)name.Length) != 0)
            {
                throw Failure($"Binding the VRRP socket to {interfaceName}", Marshal.GetLastWin32Error());
            }

            // struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex; }
            var membership = new byte[12];
            IPAddress.Parse("224.0.0.18").GetAddressBytes().CopyTo(membership, 0);
            BitConverter.GetBytes(index).CopyTo(membership, 8);
            if (LibC.SetSocketOption(_socket, IpProtoIp, IpAddMembership, membership, (uint)membership.Length) != 0)
            {
                throw Failure($"Joining 224.0.0.18 on {interfaceName}", Marshal.GetLastWin32Error());
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string InterfaceName { get; }

    /// <summary>The next advertisement that parses; packets that do not are dropped. Null once disposed.</summary>
    public Task<VrrpAdvertisement?> ReceiveAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Receive(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Hears the advertisements crossing <paramref name="interfaceName"/> in both directions, this host's own included,
    /// before the host firewall sees them. A node can then report a split brain its firewall causes (the classic
    /// cause: VRRP dropped on input), which a raw IP socket behind that firewall never hears. Every frame wakes the
    /// socket, not only VRRP: meant for a monitor's one listener, not for a busy router.
    /// </summary>
    /// <exception cref="VrrpPermissionException">The process may not open packet sockets.</exception>
    /// <exception cref="VrrpInterfaceNotFoundException">No such interface in this network namespace.</exception>
    public static VrrpAdvertisementListener OnLink(string interfaceName) => new(interfaceName, linkLayer: true);

    public void Dispose()
    {
        var socket = Interlocked.Exchange(ref _socket, -1);
        if (socket >= 0)
        {
            LibC.Close(socket);
        }
    }

    private VrrpAdvertisement? Receive(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var socket = Volatile.Read(ref _socket);
            if (socket < 0)
            {
                return null;
            }

            if (!LibC.WaitReadable(socket, PollSliceMilliseconds, out var errno))
            {
                if (errno != 0)
                {
                    throw Failure("Waiting for VRRP packets", errno);
                }

                continue;
            }

            var count = (int)LibC.Receive(socket, _buffer, (UIntPtr)_buffer.Length, 0);
            if (count > 0 && VrrpAdvertisement.TryParse(new ReadOnlySpan<byte>(_buffer, 0, count), DateTime.UtcNow, out var advertisement))
            {
                return advertisement;
            }
        }
    }

    private void BindToLink(int interfaceIndex)
    {
        // struct sockaddr_ll { u16 family; be16 protocol; int ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
        var address = new byte[20];
        BitConverter.GetBytes((ushort)AfPacket).CopyTo(address, 0);
        BitConverter.GetBytes((ushort)EthernetAllProtocols).CopyTo(address, 2);
        BitConverter.GetBytes(interfaceIndex).CopyTo(address, 4);
        if (LibC.Bind(_socket, address, (uint)address.Length) != 0)
        {
            throw Failure($"Binding the packet socket to {InterfaceName}", Marshal.GetLastWin32Error());
        }
    }

    private Exception Failure(string action, int errno) => errno is LibC.PermissionDenied or LibC.AccessDenied
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
