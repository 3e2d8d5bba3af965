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
public sealed class VrrpAdvertisementListener : IDisposable
{
    private const int AfInet = 2;
    private const int SockRaw = 3;
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
    {
        InterfaceName = interfaceName;
        var index = InterfaceIndex(interfaceName);
        _socket = LibC.Socket(AfInet, SockRaw, VrrpAdvertisement.ProtocolNumber);
        if (_socket < 0)
        {
            throw Failure("Opening a raw VRRP socket", Marshal.GetLastWin32Error());
        }

        try
        {
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
