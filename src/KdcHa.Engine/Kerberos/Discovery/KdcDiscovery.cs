using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Kerberos.Discovery;

/// <summary>Where the address of a probed KDC came from.</summary>
public enum KdcSource
{
    /// <summary>Named by the caller (-Kdc, a monitor configuration).</summary>
    Parameter,

    /// <summary>A kdc line of the realm in krb5.conf's [realms].</summary>
    Krb5Conf,

    /// <summary>A DNS SRV record _kerberos._udp.REALM or _kerberos._tcp.REALM.</summary>
    DnsSrv,
}

/// <summary>
/// One KDC discovery found: its address as an administrator would write it (parsed like a -Kdc value), its source,
/// the transport that source asks for, and where exactly it was found, in words.
/// </summary>
public sealed record DiscoveredKdc(string Address, KdcSource Source, KdcTransportProtocol Transport, string Origin);

/// <summary>
/// Finds a realm's KDCs as MIT's library does: the kdc lines of the realm in krb5.conf (every file of KRB5_CONFIG,
/// else /etc/krb5.conf); only when there are none, and dns_lookup_kdc allows it, the DNS SRV records
/// _kerberos._udp.REALM and _kerberos._tcp.REALM, each in preference order. The DNS lookups run at once and share
/// one deadline, so a DNS server that never answers costs the timeout and no more.
/// </summary>
public sealed class KdcDiscovery
{
    private const string UdpService = "_kerberos._udp.";
    private const string TcpService = "_kerberos._tcp.";

    private readonly IReadOnlyList<string> _krb5ConfigFiles;
    private readonly ISrvLookup _dns;
    private readonly Random _random;

    /// <summary>Reads <paramref name="krb5ConfigFiles"/>, asks <paramref name="dns"/>, and orders equal SRV priorities with <paramref name="random"/> (default <see cref="Random.Shared"/>).</summary>
    public KdcDiscovery(IReadOnlyList<string> krb5ConfigFiles, ISrvLookup dns, Random? random = null)
    {
        _krb5ConfigFiles = krb5ConfigFiles ?? throw new ArgumentNullException(nameof(krb5ConfigFiles));
        _dns = dns ?? throw new ArgumentNullException(nameof(dns));
        _random = random ?? Random.Shared;
    }

    /// <summary>What MIT's library reads on this host: KRB5_CONFIG's files (else /etc/krb5.conf), then the system's DNS servers.</summary>
    public static KdcDiscovery ForThisHost() =>
        new(Krb5Configuration.Files(Environment.GetEnvironmentVariable(Krb5Configuration.PathVariable)), new DnsClientSrvLookup());

    /// <summary>
    /// The KDCs of <paramref name="realm"/> (matched as MIT matches it, with case) for probes over
    /// <paramref name="transport"/>: Udp asks DNS only for _udp records, Tcp only for _tcp ones, Auto for both, and a
    /// KDC that only a _tcp record names is then probed over TCP. Throws <see cref="KdcNotFoundException"/> when
    /// neither source names one, saying why (no kdc line, no record, DNS disabled, or the DNS failure).
    /// </summary>
    public async Task<IReadOnlyList<DiscoveredKdc>> DiscoverAsync(
        string realm, KdcTransportProtocol transport, TimeSpan timeout, IOperationOutput output, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(realm))
        {
            throw new ArgumentException("A realm is required.", nameof(realm));
        }

        var (configured, dnsLookupKdc) = ReadConfiguration(realm, transport, output);
        if (configured.Count > 0)
        {
            return configured;
        }

        var files = string.Join(", ", _krb5ConfigFiles);
        if (!dnsLookupKdc)
        {
            throw new KdcNotFoundException(realm, $"{files} has no kdc line for it, and dns_lookup_kdc = false forbids DNS");
        }

        var services = ServicesFor(transport);
        var names = services.Select(service => service.Prefix + realm).ToArray();
        output.WriteVerbose($"{files} has no kdc line for {realm}: looking up SRV {string.Join(" and ", names)} in DNS.");
        var answers = await Task.WhenAll(names.Select(name => _dns.LookupAsync(name, timeout, cancellationToken))).ConfigureAwait(false);

        var found = new List<DiscoveredKdc>();
        var failures = new List<string>();
        for (var i = 0; i < services.Length; i++)
        {
            if (answers[i].Failure is { } failure)
            {
                failures.Add($"the lookup of {names[i]} failed: {failure}");
                continue;
            }

            foreach (var record in InPreferenceOrder(answers[i].Records, _random))
            {
                var address = $"{record.Target}:{record.Port}";
                if (found.Any(kdc => string.Equals(kdc.Address, address, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                found.Add(new DiscoveredKdc(address, KdcSource.DnsSrv, services[i].Transport ?? transport,
                    $"SRV {names[i]} (priority {record.Priority}, weight {record.Weight})"));
            }
        }

        if (found.Count == 0)
        {
            throw new KdcNotFoundException(realm, failures.Count > 0
                ? $"{files} has no kdc line for it, and {string.Join("; ", failures)}"
                : $"{files} has no kdc line for it, and DNS has no SRV record {string.Join(" or ", names)}");
        }

        foreach (var failure in failures)
        {
            output.WriteVerbose($"Probing the KDCs that DNS did name: {failure}.");
        }

        return found;
    }

    /// <summary>
    /// RFC 2782's order: lowest priority first and, within a priority, the weighted random pick the RFC describes
    /// (records of weight 0 first in the list, then each pick uniform over 0..sum of the remaining weights), as
    /// Windows clients spread their load over a site's DCs. Every KDC found is probed, so the order decides which
    /// probes start first (and wait under -ThrottleLimit) and the order of the results. A target of "." means that
    /// the service is not offered there (RFC 2782) and is dropped.
    /// </summary>
    internal static IEnumerable<SrvRecordAnswer> InPreferenceOrder(IEnumerable<SrvRecordAnswer> records, Random random)
    {
        foreach (var priority in records.Where(record => record.Target.Length > 0 && record.Target != ".")
                     .GroupBy(record => record.Priority).OrderBy(group => group.Key))
        {
            var pending = priority.OrderBy(record => record.Weight == 0 ? 0 : 1).ToList();
            while (pending.Count > 0)
            {
                var pick = random.Next(pending.Sum(record => record.Weight) + 1);
                var runningSum = 0;
                var chosen = pending.First(record => (runningSum += record.Weight) >= pick);
                pending.Remove(chosen);
                yield return chosen;
            }
        }
    }

    private static (string Prefix, KdcTransportProtocol? Transport)[] ServicesFor(KdcTransportProtocol transport) => transport switch
    {
        KdcTransportProtocol.Udp => new (string, KdcTransportProtocol?)[] { (UdpService, null) },
        KdcTransportProtocol.Tcp => new (string, KdcTransportProtocol?)[] { (TcpService, null) },
        _ => new (string, KdcTransportProtocol?)[] { (UdpService, null), (TcpService, KdcTransportProtocol.Tcp) },
    };

    private (IReadOnlyList<DiscoveredKdc> Kdcs, bool DnsLookupKdc) ReadConfiguration(string realm, KdcTransportProtocol transport, IOperationOutput output)
    {
        var kdcs = new List<DiscoveredKdc>();
        bool? dnsLookupKdc = null;
        foreach (var file in _krb5ConfigFiles.Where(File.Exists))
        {
            Krb5Configuration configuration;
            try
            {
                configuration = Krb5Configuration.Read(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.WriteWarning($"{file} cannot be read, so its kdc lines are not used: {e.Message}");
                continue;
            }

            dnsLookupKdc ??= configuration.DnsLookupKdc;
            foreach (var kdc in configuration.Realms.Where(entry => entry.Name == realm).SelectMany(entry => entry.Kdcs))
            {
                // MIT also takes an MS-KKDCP proxy URL or a UNIX socket path here; neither is a KDC this probe reaches.
                if (kdc.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || kdc.StartsWith('/'))
                {
                    output.WriteVerbose($"Skipping kdc = {kdc} of {realm} in {file}: only UDP and TCP KDCs are probed.");
                }
                else if (!kdcs.Any(found => string.Equals(found.Address, kdc, StringComparison.OrdinalIgnoreCase)))
                {
                    kdcs.Add(new DiscoveredKdc(kdc, KdcSource.Krb5Conf, transport, $"kdc line of {realm} in {file}"));
                }
            }
        }

        return (kdcs, dnsLookupKdc ?? true);
    }
}
