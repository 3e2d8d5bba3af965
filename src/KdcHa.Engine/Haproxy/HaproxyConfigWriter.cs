using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using KdcHa.Configuration;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Haproxy;

/// <summary>
/// Writes the haproxy.cfg of the VIP nodes: a TCP frontend on the VIP's Kerberos port and a backend with every KDC,
/// each checked by a real AS exchange (a connect alone succeeds on a hung krb5kdc, whose kernel still completes the
/// handshake) and by the KdcHa monitor's agent (weight, drain, down). Comments in the output say why.
/// </summary>
public static class HaproxyConfigWriter
{
    // The reply's 4-byte length with the reserved high bit clear (RFC 4120 §7.2.2) and below 16 MiB, then the
    // APPLICATION tag of a KRB-ERROR (30, 0x7e) or an AS-REP (11, 0x6b). rbinary matches the reply in hexadecimal,
    // anchored at its first byte; "binary" would accept those bytes anywhere in the reply.
    private const string ReplyPattern = "^00[0-9A-Fa-f]{6}(7[Ee]|6[Bb])";

    private static readonly Regex Realm = new("^[!-~]{1,255}$", RegexOptions.CultureInvariant);
    private static readonly Regex SocketPath = new("^/[!-~]{1,200}$", RegexOptions.CultureInvariant);

    /// <exception cref="ConfigurationException">The first invalid setting.</exception>
    public static string Write(HaproxySettings settings)
    {
        if (settings is null)
        {
            throw new ArgumentNullException(nameof(settings));
        }

        var kdcs = Validate(settings);
        var request = Convert.ToHexString(KdcHealthProbe.ReplayableTcpRequest(settings.Realm));
        var text = new StringBuilder();
        text.Append($@"# haproxy.cfg for the KDC VIP nodes, written by New-KdcHaHaproxyConfig.
# HAProxy balances Kerberos over TCP only (HAProxy community edition has no generic UDP load balancing): it serves
# clients that use TCP (udp_preference_limit = 1, Windows with MaxPacketSize = 1, Java) and large requests.
# keepalived floats the VIP between the HAProxy nodes; the node without the VIP binds it too, which needs
# net.ipv4.ip_nonlocal_bind = 1 (net.ipv6.ip_nonlocal_bind = 1 for an IPv6 VIP).

global
    log /dev/log local0
    chroot /var/lib/haproxy
    user haproxy
    group haproxy
    # The runtime API: 'show servers state kdc' and 'show stat' say which KDC is up, drained or down.
    stats socket {settings.StatsSocket} mode 660 level admin

defaults
    mode tcp
    log global
    option tcplog
    option dontlognull
    # One AS or TGS exchange per connection, answered in milliseconds. A client whose KDC hung before its checks
    # failed is cut off after a few seconds, within the time its library waits before trying the next KDC.
    timeout connect 1s
    timeout client 3s
    timeout server 3s
    timeout check 1s
    # A KDC that refuses the connection is retried on another one before the client sees a failure.
    retries 2
    option redispatch

frontend kerberos
");
        foreach (var address in settings.VirtualAddress)
        {
            text.Append($"    bind {Address(address)}:{settings.Port}\n");
        }

        text.Append($@"    default_backend kdc

backend kdc
    # The fewest open connections: a KDC that hangs keeps the connections it holds and gets no new ones.
    balance leastconn
    option tcp-check
    # An AS-REQ for the stand-in client {KdcProbeTargetFactory.ProbeClientName}@{settings.Realm}: the KDC answers only after a database lookup.
    tcp-check connect
    tcp-check send-binary {request}
    # The reply's length (high bit clear), then the tag of a KRB-ERROR (0x7e) or an AS-REP (0x6b), at its start.
    tcp-check expect min-recv 5 rbinary {ReplyPattern}
    # Two failed AS exchanges take a KDC out, two answered ones bring it back. The KdcHa monitor on each KDC
    # (Start-KdcHaMonitor -AgentCheckAddress) answers the agent check from its own probes: 'up ready' with a
    # weight from its latency, 'drain' during Move-KdcVip maintenance, 'down #<status>' for a failed KDC and 'maint'
    # when it stops. No agent listening is not a failure: the AS exchange above still decides. The agent's NN% is of
    # the configured weight: with HAProxy's default weight of 1 every percentage would round to 0 (no traffic) or 1.
    default-server weight 100 check inter {settings.CheckIntervalMilliseconds} fall 2 rise 2 agent-check agent-port {settings.AgentPort} agent-inter {settings.AgentIntervalMilliseconds}
");
        foreach (var kdc in kdcs)
        {
            text.Append($"    server {ServerName(kdc)} {Address(kdc.Host)}:{kdc.Port}\n");
        }

        return text.ToString();
    }

    private static IReadOnlyList<KdcEndpoint> Validate(HaproxySettings settings)
    {
        ConfigurationException.ThrowUnless(settings.Kdc.Count > 0, nameof(settings.Kdc), "needs at least one KDC");
        var kdcs = new List<KdcEndpoint>();
        foreach (var text in settings.Kdc)
        {
            ConfigurationException.ThrowUnless(KdcEndpoint.TryParse(text, out var kdc), nameof(settings.Kdc), $"'{text}' is not a host name or address with an optional port");
            ConfigurationException.ThrowUnless(!kdcs.Contains(kdc!), nameof(settings.Kdc), $"names {kdc} twice");
            kdcs.Add(kdc!);
        }

        ConfigurationException.ThrowUnless(kdcs.Select(ServerName).Distinct(StringComparer.OrdinalIgnoreCase).Count() == kdcs.Count, nameof(settings.Kdc), "gives two KDCs the same server name (host, then _port when not 88)");
        ConfigurationException.ThrowUnless(settings.VirtualAddress.Count > 0, nameof(settings.VirtualAddress), "needs at least one address");
        foreach (var address in settings.VirtualAddress)
        {
            ConfigurationException.ThrowUnlessAddress(nameof(settings.VirtualAddress), address, allowPrefix: false);
        }

        ConfigurationException.ThrowUnless(settings.Realm is not null && Realm.IsMatch(settings.Realm), nameof(settings.Realm), "must be 1-255 printable characters without spaces");
        ConfigurationException.ThrowUnless(settings.Port is >= 1 and <= 65535, nameof(settings.Port), "must be between 1 and 65535");
        ConfigurationException.ThrowUnless(settings.AgentPort is >= 1 and <= 65535, nameof(settings.AgentPort), "must be between 1 and 65535");
        ConfigurationException.ThrowUnless(settings.AgentIntervalMilliseconds is >= 100 and <= 60000, nameof(settings.AgentIntervalMilliseconds), "must be between 100 and 60000");
        ConfigurationException.ThrowUnless(settings.CheckIntervalMilliseconds is >= 100 and <= 60000, nameof(settings.CheckIntervalMilliseconds), "must be between 100 and 60000");
        ConfigurationException.ThrowUnless(SocketPath.IsMatch(settings.StatsSocket), nameof(settings.StatsSocket), "must be an absolute path without spaces");
        return kdcs;
    }

    /// <summary>HAProxy reads the last colon as the port's, so an IPv6 literal takes the ipv6@ prefix instead of brackets.</summary>
    private static string Address(string host) =>
        IPAddress.TryParse(host, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6@" + host : host;

    /// <summary>The KDC as the stats show it: its host, and its port when not 88.</summary>
    private static string ServerName(KdcEndpoint kdc) =>
        (kdc.Port == KdcEndpoint.DefaultPort ? kdc.Host : $"{kdc.Host}_{kdc.Port}").Replace(':', '_');
}

/// <summary>What <see cref="HaproxyConfigWriter"/> needs to write the VIP nodes' haproxy.cfg.</summary>
public sealed class HaproxySettings
{
    /// <summary>The TCP port the monitors answer HAProxy's agent check on, unless told otherwise.</summary>
    public const int DefaultAgentPort = 8788;

    /// <summary>Every KDC of the pool: a host name or address, with a port when not 88.</summary>
    public IReadOnlyList<string> Kdc { get; set; } = Array.Empty<string>();

    /// <summary>The addresses the frontend listens on: the VIP, or each VIP of an active-active pair.</summary>
    public IReadOnlyList<string> VirtualAddress { get; set; } = Array.Empty<string>();

    public int Port { get; set; } = KdcEndpoint.DefaultPort;

    /// <summary>The realm of the check's AS-REQ.</summary>
    public string Realm { get; set; } = string.Empty;

    public int AgentPort { get; set; } = DefaultAgentPort;

    public int AgentIntervalMilliseconds { get; set; } = 1000;

    public int CheckIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Where HAProxy's runtime API listens; Debian's own haproxy.cfg uses this path.</summary>
    public string StatsSocket { get; set; } = "/run/haproxy/admin.sock";
}
