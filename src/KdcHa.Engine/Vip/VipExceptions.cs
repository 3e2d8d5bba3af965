using System.ComponentModel;
using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>Another host answered the ARP probe for the address: taking it too would make two holders.</summary>
public sealed class AddressInUseException : KdcHaException
{
    public AddressInUseException(InterfaceAddress address, string interfaceName, string holderMac)
        : base($"{address.Address} is in use on the link of {interfaceName}: {holderMac} answered the ARP probe. " +
               $"Release it on its holder first (Move-KdcVip -Direct -Release there), or add -Force to take it anyway.")
    {
        Address = address.Address.ToString();
        HolderMac = holderMac;
    }

    public string Address { get; }

    public string HolderMac { get; }
}

/// <summary>The network interface the VIP belongs on does not exist in this network namespace.</summary>
public sealed class InterfaceNotFoundException : KdcHaException
{
    public InterfaceNotFoundException(string interfaceName)
        : base($"There is no network interface '{interfaceName}' on this host (in this network namespace).")
    {
        InterfaceName = interfaceName;
    }

    public string InterfaceName { get; }
}

/// <summary>A packet socket call failed (the interface went down or away, the frame was refused), with its errno.</summary>
public sealed class LinkLayerException : KdcHaException
{
    public LinkLayerException(string action, int errno)
        : base($"{action} failed: {new Win32Exception(errno).Message} (errno {errno}).", new Win32Exception(errno))
    {
        Errno = errno;
    }

    public int Errno { get; }
}

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

/// <summary>A move was asked for on a node that does not hold the VIP, so there is nothing to move away.</summary>
public sealed class NotVipHolderException : KdcHaException
{
    public NotVipHolderException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// No healthy peer took the VIP in time. The message says what was observed and in which state the node was left.
/// </summary>
public sealed class SwitchoverTimeoutException : KdcHaException
{
    public SwitchoverTimeoutException(string message, SwitchoverStage stage, bool rolledBack)
        : base(message)
    {
        Stage = stage;
        RolledBack = rolledBack;
    }

    public SwitchoverStage Stage { get; }

    public bool RolledBack { get; }
}
