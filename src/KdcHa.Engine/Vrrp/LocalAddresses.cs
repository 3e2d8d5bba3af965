using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;

namespace KdcHa.Vrrp;

/// <summary>
/// The addresses a network namespace holds now, read from /proc/&lt;pid&gt;/net (fib_trie's LOCAL routes for IPv4,
/// if_inet6 for IPv6): for this process, or for keepalived's namespace when it runs in another one.
/// </summary>
public static class LocalAddresses
{
    /// <summary>Does this host (this process's network namespace) hold the address now?</summary>
    public static bool Holds(string address) => IPAddress.TryParse(StripPrefix(address), out var parsed) && Current(null).Contains(parsed);

    /// <summary>The addresses held by the namespace of <paramref name="processId"/> (null: this process).</summary>
    public static ISet<IPAddress> Current(int? processId)
    {
        var net = $"/proc/{(processId is { } id ? id.ToString(CultureInfo.InvariantCulture) : "self")}/net";
        var held = new HashSet<IPAddress>();
        ReadFibTrie(Path.Combine(net, "fib_trie"), held);
        ReadInet6(Path.Combine(net, "if_inet6"), held);
        return held;
    }

    /// <summary>True when every address is held, false when one is not, null when there are none to judge by.</summary>
    public static bool? HoldsAll(IReadOnlyList<string> addresses, ISet<IPAddress>? held)
    {
        if (held is null || addresses.Count == 0)
        {
            return null;
        }

        return addresses.All(a => IPAddress.TryParse(StripPrefix(a), out var parsed) && held.Contains(parsed));
    }

    /// <summary>"10.0.0.1/24" → "10.0.0.1": keepalived lists virtual addresses with their prefix length.</summary>
    public static string StripPrefix(string address)
    {
        var slash = address.IndexOf('/');
        return slash < 0 ? address : address.Substring(0, slash);
    }

    private static void ReadFibTrie(string path, ISet<IPAddress> held)
    {
        if (!File.Exists(path))
        {
            return;
        }

        // "|-- 10.0.0.1" is followed by "/32 host LOCAL" when the address is one of the namespace's own.
        string? candidate = null;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith("|-- ", StringComparison.Ordinal))
            {
                candidate = line.Substring(4);
            }
            else if (candidate is not null && line.StartsWith("/32 host LOCAL", StringComparison.Ordinal) && IPAddress.TryParse(candidate, out var address))
            {
                held.Add(address);
            }
        }
    }

    private static void ReadInet6(string path, ISet<IPAddress> held)
    {
        if (!File.Exists(path))
        {
            return;
        }

        foreach (var line in File.ReadLines(path))
        {
            var hex = line.Split(new[] { ' ' }, 2)[0];
            if (hex.Length != 32)
            {
                continue;
            }

            var bytes = new byte[16];
            for (var i = 0; i < 16; i++)
            {
                bytes[i] = byte.Parse(hex.Substring(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }

            held.Add(new IPAddress(bytes));
        }
    }
}
