using System.Runtime.InteropServices;

namespace KdcHa.Vip;

/// <summary>Platform facts a VIP change depends on: Linux (netlink, raw sockets, keepalived) and root.</summary>
public static class UnixHost
{
    public static bool IsLinux => RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

    // Raw VRRP sockets, interface addresses and /var/lib/kdcha all need root; checked up front for a clear error.
    public static bool IsRoot => IsLinux && geteuid() == 0;

    [DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
