using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace KdcHa.Vip;

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
