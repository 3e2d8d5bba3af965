using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using KdcHa.Common;

namespace KdcHa.Configuration;

/// <summary>A setting that is missing or out of range; <see cref="Setting"/> names it.</summary>
public sealed class ConfigurationException : KdcHaException
{
    public ConfigurationException(string setting, string message)
        : base(message)
    {
        Setting = setting;
    }

    public string Setting { get; }

    /// <summary>Throws naming <paramref name="setting"/> unless <paramref name="condition"/> holds.</summary>
    public static void ThrowUnless(bool condition, string setting, string problem)
    {
        if (!condition)
        {
            throw new ConfigurationException(setting, $"{setting} {problem}.");
        }
    }

    /// <summary>
    /// Throws naming <paramref name="setting"/> unless <paramref name="value"/> is an IPv6 address or a strict IPv4
    /// dotted quad (never <c>10.5</c> read as 10.0.0.5), with a /prefix only when <paramref name="allowPrefix"/>.
    /// </summary>
    public static void ThrowUnlessAddress(string setting, string value, bool allowPrefix)
    {
        var slash = value.IndexOf('/');
        var address = slash < 0 ? value : value.Substring(0, slash);
        var valid = IPAddress.TryParse(address, out var parsed) && address.Count(c => c == '.') is 0 or 3;
        if (valid && slash >= 0)
        {
            var maximum = parsed!.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
            valid = allowPrefix && int.TryParse(value.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix <= maximum;
        }

        ThrowUnless(valid, setting, $"'{value}' is not an IP address{(allowPrefix ? " (optionally with /prefix)" : string.Empty)}");
    }
}
