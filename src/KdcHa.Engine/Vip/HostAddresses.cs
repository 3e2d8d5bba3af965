using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace KdcHa.Vip;

/// <summary>The addresses configured on this host (this network namespace) right now.</summary>
public interface IHostAddresses
{
    bool HasInterface(string interfaceName);

    bool IsLocal(IPAddress address);

    /// <summary>The interface's first address of the VIP's family that is not the VIP: VRRP's source address.</summary>
    IPAddress? OwnAddress(string interfaceName, IPAddress vip);
}

/// <summary>The addresses of this network namespace, read fresh on every call because keepalived changes them.</summary>
public sealed class NetworkInterfaceAddresses : IHostAddresses
{
    public bool HasInterface(string interfaceName) =>
        NetworkInterface.GetAllNetworkInterfaces().Any(nic => string.Equals(nic.Name, interfaceName, StringComparison.Ordinal));

    public bool IsLocal(IPAddress address) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Any(unicast => unicast.Address.Equals(address));

    public IPAddress? OwnAddress(string interfaceName, IPAddress vip) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => string.Equals(nic.Name, interfaceName, StringComparison.Ordinal))
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(address => address.AddressFamily == vip.AddressFamily && !address.Equals(vip) && !address.IsIPv6LinkLocal);
}

/// <summary>An address on one of this host's interfaces, with the prefix the kernel holds it with (a delete must name it).</summary>
public sealed record HeldAddress(string Interface, InterfaceAddress Address)
{
    public override string ToString() => $"{Address} on {Interface}";
}

/// <summary>Finds addresses on this host's interfaces and takes them off, as Move-KdcVip -Direct -Release does.</summary>
public interface IVipHolder
{
    /// <summary>Where this host holds any of <paramref name="addresses"/> right now; empty when it holds none.</summary>
    IReadOnlyList<HeldAddress> Holding(IReadOnlyCollection<IPAddress> addresses);

    /// <exception cref="NetlinkException">The kernel refused.</exception>
    /// <exception cref="InterfaceNotFoundException">The interface went away meanwhile.</exception>
    DirectVipResult Release(HeldAddress held);
}

/// <summary>The <see cref="IVipHolder"/> of this network namespace: interfaces read fresh on every call, removal through netlink.</summary>
public sealed class HostVipHolder : IVipHolder
{
    private readonly DirectVip _direct;

    public HostVipHolder(DirectVip direct)
    {
        _direct = direct ?? throw new ArgumentNullException(nameof(direct));
    }

    public IReadOnlyList<HeldAddress> Holding(IReadOnlyCollection<IPAddress> addresses) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses
                .Where(unicast => addresses.Contains(unicast.Address))
                .Select(unicast => new HeldAddress(nic.Name, new InterfaceAddress(unicast.Address, unicast.PrefixLength))))
            .ToList();

    public DirectVipResult Release(HeldAddress held) => _direct.Release(LinkInterface.Find(held.Interface), held.Address);
}

/// <summary>An address with its prefix length, as <c>ip addr add</c> takes it: 192.0.2.10/24 or 2001:db8::10/64.</summary>
public sealed class InterfaceAddress
{
    public InterfaceAddress(IPAddress address, int prefixLength)
    {
        Address = address ?? throw new ArgumentNullException(nameof(address));
        var maximum = IsIPv6 ? 128 : 32;
        if (prefixLength < 1 || prefixLength > maximum)
        {
            throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, $"The prefix length of {address} must be 1..{maximum}.");
        }

        PrefixLength = prefixLength;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>Parses "address/prefix"; without a prefix the address stands alone (/32 or /128), as a VIP usually does.</summary>
    public static InterfaceAddress Parse(string text)
    {
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text.Substring(0, slash);
        if (!IPAddress.TryParse(addressText, out var address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new FormatException($"'{text}' is not an IPv4 or IPv6 address with an optional /prefix.");
        }

        var full = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (slash < 0)
        {
            return new InterfaceAddress(address, full);
        }

        if (!int.TryParse(text.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix < 1 || prefix > full)
        {
            throw new FormatException($"'{text}' has no valid prefix length (1..{full}).");
        }

        return new InterfaceAddress(address, prefix);
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>A network interface as netlink and AF_PACKET address it: its index and its Ethernet address.</summary>
public sealed class LinkInterface
{
    public LinkInterface(string name, int index, byte[] macAddress)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Index = index;
        MacAddress = macAddress?.Length == 6 ? macAddress : throw new ArgumentException("An Ethernet address has 6 bytes.", nameof(macAddress));
    }

    public string Name { get; }

    public int Index { get; }

    public byte[] MacAddress { get; }

    public string MacText => FormatMac(MacAddress);

    public static string FormatMac(byte[] mac) => string.Join(":", mac.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <exception cref="InterfaceNotFoundException">No such interface in this network namespace.</exception>
    public static LinkInterface Find(string name)
    {
        // /sys/class/net lists the interfaces of the reader's network namespace, as the sockets will see them.
        var directory = $"/sys/class/net/{name}";
        if (string.IsNullOrEmpty(name) || name.IndexOfAny(new[] { '/', '\0' }) >= 0 || name is "." or ".." || !Directory.Exists(directory))
        {
            throw new InterfaceNotFoundException(name ?? string.Empty);
        }

        var index = int.Parse(File.ReadAllText(Path.Combine(directory, "ifindex")).Trim(), CultureInfo.InvariantCulture);
        return new LinkInterface(name, index, ParseMac(File.ReadAllText(Path.Combine(directory, "address")).Trim()));
    }

    public static byte[] ParseMac(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 6)
        {
            throw new FormatException($"'{text}' is not an Ethernet address: gratuitous ARP needs an Ethernet interface.");
        }

        return parts.Select(part => byte.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
    }
}
