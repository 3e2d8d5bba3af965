using System.ComponentModel;
using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>The kernel refused a netlink request; <see cref="Errno"/> is its reason, as <c>ip</c> would report it.</summary>
public sealed class NetlinkException : KdcHaException
{
    public const int AddressExists = 17;
    public const int AddressNotAvailable = 99;

    public NetlinkException(string action, int errno)
        : base($"{action} failed: {new Win32Exception(errno).Message} (errno {errno}).", new Win32Exception(errno))
    {
        Errno = errno;
    }

    public int Errno { get; }
}
