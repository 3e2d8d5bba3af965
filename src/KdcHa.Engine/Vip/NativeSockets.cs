using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Threading;
using KdcHa.Common;
using KdcHa.Vrrp;

namespace KdcHa.Vip;

/// <summary>
/// A libc socket descriptor with the error mapping Direct mode reports: EPERM/EACCES mean "not root", anything else
/// is a netlink or a link-layer failure with its errno.
/// </summary>
internal sealed class NativeSocket : IDisposable
{
    private const int SockRaw = 3;

    private int _descriptor;

    private readonly bool _netlink;

    public NativeSocket(int domain, int protocol, byte[] address, string purpose)
    {
        Purpose = purpose;
        _netlink = domain == LinuxAddressFamily.Netlink;
        _descriptor = LibC.Socket(domain, SockRaw | LibC.SocketCloseOnExec, protocol);
        if (_descriptor < 0)
        {
            throw Failure("Opening", Marshal.GetLastWin32Error());
        }

        if (LibC.Bind(_descriptor, address, (uint)address.Length) != 0)
        {
            var errno = Marshal.GetLastWin32Error();
            Dispose();
            throw Failure("Binding", errno);
        }
    }

    public string Purpose { get; }

    public void Send(byte[] data)
    {
        if ((long)LibC.Send(_descriptor, data, (UIntPtr)data.Length, 0) < 0)
        {
            throw Failure("Sending on", Marshal.GetLastWin32Error());
        }
    }

    /// <summary>The length received into <paramref name="buffer"/>, or 0 when nothing came within <paramref name="timeout"/>.</summary>
    public int Receive(byte[] buffer, TimeSpan timeout)
    {
        if (!LibC.WaitReadable(_descriptor, (int)Math.Max(0, timeout.TotalMilliseconds), out var errno))
        {
            return errno == 0 ? 0 : throw Failure("Waiting on", errno);
        }

        var count = (long)LibC.Receive(_descriptor, buffer, (UIntPtr)buffer.Length, 0);
        return count >= 0 ? (int)count : throw Failure("Receiving on", Marshal.GetLastWin32Error());
    }

    public void Dispose()
    {
        var descriptor = Interlocked.Exchange(ref _descriptor, -1);
        if (descriptor >= 0)
        {
            LibC.Close(descriptor);
        }
    }

    private Exception Failure(string action, int errno) => errno is LibC.PermissionDenied or LibC.AccessDenied
        ? new InsufficientPrivilegeException($"{action} the {Purpose} socket needs root or CAP_NET_ADMIN/CAP_NET_RAW (errno {errno}).", new Win32Exception(errno))
        : _netlink ? new NetlinkException($"{action} the {Purpose} socket", errno) : new LinkLayerException($"{action} the {Purpose} socket", errno);
}

/// <summary>
/// AF_PACKET raw sockets bound to one interface and EtherType: the only way to send an ARP probe (sender 0.0.0.0)
/// or a frame from an address that routing would not pick. Needs CAP_NET_RAW.
/// </summary>
public sealed class PacketSocket : ILinkLayer
{
    public ILinkLayerChannel Open(LinkInterface link, ushort etherType) => new PacketSocketChannel(link, etherType);
}

/// <summary>One AF_PACKET socket bound to an interface and an EtherType: it sends whole frames and hears only that type.</summary>
internal sealed class PacketSocketChannel : ILinkLayerChannel
{
    private readonly NativeSocket _socket;

    public PacketSocketChannel(LinkInterface link, ushort etherType)
    {
        var protocol = (ushort)((etherType >> 8) | ((etherType & 0xff) << 8)); // htons
        _socket = new NativeSocket(LinuxAddressFamily.Packet, protocol, PacketSocketAddress.Of(link.Index, protocol), $"packet ({link.Name}, EtherType 0x{etherType:x4})");
    }

    public void Send(byte[] frame) => _socket.Send(frame);

    public int Receive(byte[] buffer, TimeSpan timeout) => _socket.Receive(buffer, timeout);

    public void Dispose() => _socket.Dispose();
}
