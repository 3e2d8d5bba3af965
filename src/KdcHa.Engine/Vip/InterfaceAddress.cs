using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KdcHa.Vip;

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
