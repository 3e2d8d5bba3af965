namespace KdcHa.Common;

/// <summary>Linux's AF_* numbers: .NET's AddressFamily values are Windows' (InterNetworkV6 is 23 there, 10 here).</summary>
public static class LinuxAddressFamily
{
    public const int Inet = 2;
    public const int Inet6 = 10;
    public const int Netlink = 16;
    public const int Packet = 17;
}
