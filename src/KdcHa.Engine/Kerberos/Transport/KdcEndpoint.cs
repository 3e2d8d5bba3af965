using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KdcHa.Kerberos.Transport;

/// <summary>
/// A KDC address as an administrator writes it: a host name, IPv4 or IPv6 literal, optionally with a port.
/// </summary>
/// <remarks>
/// Accepted forms: <c>host</c>, <c>host:port</c>, <c>1.2.3.4</c>, <c>1.2.3.4:port</c>, <c>[v6]</c>, <c>[v6]:port</c>
/// and a bare IPv6 literal. A bare IPv6 literal never carries a port, because <c>fd00::5:88</c> is itself a valid
/// address; text with two or more colons that is not an IPv6 literal (<c>a:b:c</c>) is rejected rather than guessed.
/// Host names are ASCII (IDNs in their xn-- form), labels of letters, digits, '-' and '_'. A name whose last label is
/// numeric must be a strict dotted quad, so resolver quirks such as <c>10.5</c> or <c>0x7f.1</c> meaning an address
/// are refused instead of silently probing an address nobody wrote.
/// </remarks>
public sealed class KdcEndpoint : IEquatable<KdcEndpoint>
{
    public const int DefaultPort = 88;

    private const int MaxHostNameLength = 253;
    private const int MaxLabelLength = 63;

    private static readonly char[] BracketsAndPrefix = { '[', ']', '/' };

    /// <summary>Validates <paramref name="host"/> as it would appear in text, without brackets or port.</summary>
    public KdcEndpoint(string host, int port = DefaultPort)
    {
        if (host is null)
        {
            throw new ArgumentNullException(nameof(host));
        }

        if (port < 1 || port > IPEndPoint.MaxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "The port must be between 1 and 65535.");
        }

        var error = TryParseHost(host, out var canonicalHost, out var address);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(host));
        }

        Host = canonicalHost!;
        Port = port;
        Address = address;
    }

    private KdcEndpoint(string host, int port, IPAddress? address)
    {
        Host = host;
        Port = port;
        Address = address;
    }

    /// <summary>A host name, or an IP literal in canonical form (IPv6 without brackets).</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>Set when <see cref="Host"/> is an IP literal, so transports can skip name resolution.</summary>
    internal IPAddress? Address { get; }

    public static KdcEndpoint Parse(string text)
    {
        var error = TryParseCore(text, out var endpoint);
        if (error is not null)
        {
            throw new FormatException(error);
        }

        return endpoint!;
    }

    public static bool TryParse(string? text, out KdcEndpoint? endpoint) => TryParseCore(text, out endpoint) is null;

    /// <summary>Always includes the port, so the result parses back to an equal endpoint.</summary>
    public override string ToString()
    {
        var port = Port.ToString(CultureInfo.InvariantCulture);
        return Host.IndexOf(':') >= 0 ? "[" + Host + "]:" + port : Host + ":" + port;
    }

    public bool Equals(KdcEndpoint? other) =>
        other is not null && Port == other.Port && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => Equals(obj as KdcEndpoint);

    public override int GetHashCode() => (StringComparer.OrdinalIgnoreCase.GetHashCode(Host) * 397) ^ Port;

    // Returns an error message naming the problem, or null on success; one place for both Parse and TryParse.
    private static string? TryParseCore(string? text, out KdcEndpoint? endpoint)
    {
        endpoint = null;
        if (text is null)
        {
            return "A KDC address is required, got null.";
        }

        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return "A KDC address is required, got an empty string.";
        }

        foreach (var character in trimmed)
        {
            if (char.IsWhiteSpace(character) || char.IsControl(character))
            {
                return $"KDC address '{trimmed}' contains whitespace or a control character.";
            }
        }

        string hostText;
        string? portText;
        if (trimmed[0] == '[')
        {
            var close = trimmed.IndexOf(']');
            if (close < 0)
            {
                return $"KDC address '{trimmed}' opens '[' without a closing ']'.";
            }

            hostText = trimmed.Substring(1, close - 1);
            var rest = trimmed.Substring(close + 1);
            if (rest.Length == 0)
            {
                portText = null;
            }
            else if (rest[0] == ':')
            {
                portText = rest.Substring(1);
            }
            else
            {
                return $"KDC address '{trimmed}' has '{rest}' after ']'; only ':port' may follow.";
            }

            if (!IsIPv6Literal(hostText, out _))
            {
                return $"KDC address '{trimmed}': brackets are only for IPv6 literals and '{hostText}' is not one.";
            }
        }
        else
        {
            var firstColon = trimmed.IndexOf(':');
            if (firstColon < 0)
            {
                hostText = trimmed;
                portText = null;
            }
            else if (firstColon == trimmed.LastIndexOf(':'))
            {
                hostText = trimmed.Substring(0, firstColon);
                portText = trimmed.Substring(firstColon + 1);
            }
            else if (IsIPv6Literal(trimmed, out _))
            {
                hostText = trimmed;
                portText = null;
            }
            else
            {
                return $"KDC address '{trimmed}' has several ':' but is not an IPv6 address; write an IPv6 address with a port as [address]:port.";
            }
        }

        if (hostText.Length == 0)
        {
            return $"KDC address '{trimmed}' has no host before the port.";
        }

        var port = DefaultPort;
        if (portText is not null)
        {
            var portError = TryParsePort(portText, out port);
            if (portError is not null)
            {
                return $"KDC address '{trimmed}': {portError}";
            }
        }

        var hostError = TryParseHost(hostText, out var canonicalHost, out var address);
        if (hostError is not null)
        {
            return $"KDC address '{trimmed}': {hostError}";
        }

        endpoint = new KdcEndpoint(canonicalHost!, port, address);
        return null;
    }

    private static string? TryParsePort(string text, out int port)
    {
        port = 0;
        if (text.Length == 0)
        {
            return "the port after ':' is empty.";
        }

        foreach (var character in text)
        {
            if (character < '0' || character > '9')
            {
                return $"the port '{text}' is not a decimal number.";
            }
        }

        // Checking the digit count first keeps int.Parse from overflowing on long input.
        var significant = text.TrimStart('0');
        var value = significant.Length is > 0 and <= 5 ? int.Parse(significant, CultureInfo.InvariantCulture) : 0;
        if (value < 1 || value > IPEndPoint.MaxPort)
        {
            return $"the port '{text}' is outside 1-65535.";
        }

        port = value;
        return null;
    }

    private static string? TryParseHost(string text, out string? canonicalHost, out IPAddress? address)
    {
        canonicalHost = null;
        address = null;
        if (text.Length == 0)
        {
            return "the host is empty.";
        }

        if (text.IndexOf(':') >= 0)
        {
            if (!IsIPv6Literal(text, out address))
            {
                return $"'{text}' contains ':' but is not an IPv6 address.";
            }

            canonicalHost = address!.ToString();
            return null;
        }

        var name = text.EndsWith(".", StringComparison.Ordinal) ? text.Substring(0, text.Length - 1) : text;
        if (name.Length == 0 || name.Length > MaxHostNameLength)
        {
            return $"the host name '{text}' must be 1-{MaxHostNameLength} characters.";
        }

        var labels = name.Split('.');
        foreach (var label in labels)
        {
            var labelError = CheckLabel(label, text);
            if (labelError is not null)
            {
                return labelError;
            }
        }

        if (IsDigits(labels[labels.Length - 1]))
        {
            if (!IsStrictDottedQuad(labels, out address))
            {
                return $"'{text}' looks numeric but is not an IPv4 address of four 0-255 parts without leading zeros.";
            }

            canonicalHost = address!.ToString();
            return null;
        }

        canonicalHost = text;
        return null;
    }

    private static string? CheckLabel(string label, string host)
    {
        if (label.Length == 0)
        {
            return $"the host name '{host}' has an empty label (two dots or a leading dot).";
        }

        if (label.Length > MaxLabelLength)
        {
            return $"the host name '{host}' has a label longer than {MaxLabelLength} characters.";
        }

        foreach (var character in label)
        {
            var allowed = (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z')
                || (character >= '0' && character <= '9') || character == '-' || character == '_';
            if (!allowed)
            {
                return character > 127
                    ? $"the host name '{host}' is not ASCII; use the xn-- (punycode) form of internationalized names."
                    : $"the host name '{host}' contains '{character}', which is not allowed in a host name.";
            }
        }

        if (label[0] == '-' || label[label.Length - 1] == '-')
        {
            return $"the host name '{host}' has a label starting or ending with '-'.";
        }

        return null;
    }

    private static bool IsStrictDottedQuad(string[] labels, out IPAddress? address)
    {
        address = null;
        if (labels.Length != 4)
        {
            return false;
        }

        var octets = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var label = labels[i];
            if (!IsDigits(label) || label.Length > 3 || (label.Length > 1 && label[0] == '0'))
            {
                return false;
            }

            var value = int.Parse(label, CultureInfo.InvariantCulture);
            if (value > 255)
            {
                return false;
            }

            octets[i] = (byte)value;
        }

        address = new IPAddress(octets);
        return true;
    }

    private static bool IsIPv6Literal(string text, out IPAddress? address)
    {
        address = null;

        // IPAddress.TryParse also accepts "[::1]" and "[::1]:88", which would let a second port slip through.
        if (text.IndexOfAny(BracketsAndPrefix) < 0 && IPAddress.TryParse(text, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetworkV6)
        {
            address = parsed;
            return true;
        }

        return false;
    }

    private static bool IsDigits(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var character in text)
        {
            if (character < '0' || character > '9')
            {
                return false;
            }
        }

        return true;
    }
}
