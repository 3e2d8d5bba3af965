using System;
using System.Runtime.InteropServices;

namespace KdcHa.Common;

/// <summary>
/// The libc calls KdcHa needs where .NET cannot go: sockets for raw VRRP (protocol 112), AF_NETLINK and
/// AF_PACKET, and the effective uid that DBus's EXTERNAL authentication names.
/// </summary>
internal static class LibC
{
    public const int PermissionDenied = 1;
    public const int Interrupted = 4;
    public const int AccessDenied = 13;
    public const short PollIn = 1;

    /// <summary>SOCK_CLOEXEC, or'ed into socket(2)'s type: the monitor runs notification commands, which must not inherit a socket.</summary>
    public const int SocketCloseOnExec = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static extern int Socket(int domain, int type, int protocol);

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static extern int SetSocketOption(int socket, int level, int optionName, byte[] optionValue, uint optionLength);

    [DllImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static extern int Bind(int socket, byte[] address, uint addressLength);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    public static extern IntPtr Send(int socket, byte[] buffer, UIntPtr length, int flags);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static extern int Poll(ref PollDescriptor descriptors, ulong count, int timeoutMilliseconds);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static extern IntPtr Receive(int socket, byte[] buffer, UIntPtr length, int flags);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static extern int Poll([In, Out] PollDescriptor[] descriptors, ulong count, int timeoutMilliseconds);

    [DllImport("libc", EntryPoint = "geteuid")]
    public static extern uint GetEffectiveUserId();

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int descriptor);

    [DllImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static extern int EventFd(uint initialValue, int flags);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    public static extern IntPtr Write(int descriptor, byte[] buffer, UIntPtr count);

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for data: true when readable, false on timeout or EINTR.</summary>
    public static bool WaitReadable(int socket, int timeoutMilliseconds, out int errno)
    {
        var poll = new PollDescriptor { Descriptor = socket, Events = PollIn };
        var ready = Poll(ref poll, 1, timeoutMilliseconds);
        errno = ready < 0 ? Marshal.GetLastWin32Error() : 0;
        if (errno == Interrupted)
        {
            errno = 0;
        }

        return ready > 0;
    }
}

/// <summary>Linux's AF_* numbers: .NET's AddressFamily values are Windows' (InterNetworkV6 is 23 there, 10 here).</summary>
public static class LinuxAddressFamily
{
    public const int Inet = 2;
    public const int Inet6 = 10;
    public const int Netlink = 16;
    public const int Packet = 17;
}

/// <summary>The struct sockaddr_ll that binds an AF_PACKET socket to one interface and one EtherType.</summary>
internal static class PacketSocketAddress
{
    /// <param name="interfaceIndex">The interface's index in this network namespace.</param>
    /// <param name="protocolInNetworkOrder">The EtherType as socket(2) takes it: htons of the value, ETH_P_ALL for every frame.</param>
    public static byte[] Of(int interfaceIndex, ushort protocolInNetworkOrder)
    {
        // struct sockaddr_ll { u16 family; be16 protocol; int ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
        var address = new byte[20];
        BitConverter.GetBytes((ushort)LinuxAddressFamily.Packet).CopyTo(address, 0);
        BitConverter.GetBytes(protocolInNetworkOrder).CopyTo(address, 2);
        BitConverter.GetBytes(interfaceIndex).CopyTo(address, 4);
        return address;
    }
}

/// <summary>Platform facts a VIP change depends on: Linux (netlink, raw sockets, keepalived) and root.</summary>
public static class UnixHost
{
    public static bool IsLinux => RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

    // Raw VRRP sockets, interface addresses and /var/lib/kdcha all need root; checked up front for a clear error.
    public static bool IsRoot => IsLinux && LibC.GetEffectiveUserId() == 0;
}
