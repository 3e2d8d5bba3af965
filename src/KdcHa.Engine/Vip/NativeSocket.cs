using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Threading;
using KdcHa.Common;

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
