using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using DnsClient;
using DnsClient.Protocol;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Kerberos.Discovery;

/// <summary>One SRV record as DNS gave it (RFC 2782); <see cref="Target"/> without its trailing dot.</summary>
public sealed record SrvRecordAnswer(string Target, int Port, int Priority, int Weight);

/// <summary>
/// What one SRV lookup found: the records (none when the name does not exist or has no SRV), or, when no server
/// gave an answer (timeout, SERVFAIL, REFUSED, no server configured), the failure that says why.
/// </summary>
public sealed record SrvLookupResult(IReadOnlyList<SrvRecordAnswer> Records, string? Failure)
{
    public static SrvLookupResult Found(IReadOnlyList<SrvRecordAnswer> records) => new(records, null);

    public static SrvLookupResult Failed(string failure) => new(Array.Empty<SrvRecordAnswer>(), failure);
}

/// <summary>Looks up SRV records; the DNS client behind discovery, so tests can answer without a server.</summary>
public interface ISrvLookup
{
    /// <summary>
    /// The SRV records of <paramref name="name"/>, within <paramref name="timeout"/> whatever the servers do; a
    /// failure is a result, never an exception, except cancellation through <paramref name="cancellationToken"/>.
    /// </summary>
    Task<SrvLookupResult> LookupAsync(string name, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// SRV lookups through DnsClient, asking the servers of /etc/resolv.conf in order (or those given), never any other:
/// DnsClient's own fallback to public resolvers when none is configured is turned off.
/// </summary>
public sealed class DnsClientSrvLookup : ISrvLookup
{
    // A lost datagram gets one more try inside the deadline, as the system resolver would retry it.
    private const int TriesPerDeadline = 2;
    private static readonly TimeSpan MinimumAttemptTimeout = TimeSpan.FromMilliseconds(50);

    private readonly IReadOnlyList<IPEndPoint>? _servers;

    /// <summary>Asks <paramref name="servers"/>, or the system's DNS servers when null.</summary>
    public DnsClientSrvLookup(IReadOnlyList<IPEndPoint>? servers = null)
    {
        _servers = servers;
    }

    public async Task<SrvLookupResult> LookupAsync(string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Deadline.After(timeout);
        IReadOnlyList<NameServer> servers;
        try
        {
            servers = _servers?.Select(server => new NameServer(server)).ToArray()
                ?? NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false).ToArray();
        }
        catch (InvalidOperationException e)
        {
            return SrvLookupResult.Failed($"no DNS server could be read from the system's configuration ({e.Message})");
        }

        if (servers.Count == 0)
        {
            return SrvLookupResult.Failed("the system names no DNS server (/etc/resolv.conf has no nameserver line)");
        }

        var client = new LookupClient(new LookupClientOptions(servers.ToArray())
        {
            Timeout = Max(MinimumAttemptTimeout, timeout / TriesPerDeadline),
            Retries = TriesPerDeadline - 1,
            UseCache = false,
            UseRandomNameServer = false,
            ThrowDnsErrors = false,
        });
        var serverList = string.Join(", ", servers.Select(server => server.Address));
        var query = AbandonedTask.ObserveFault(client.QueryAsync(name, QueryType.SRV, QueryClass.IN, cancellationToken));
        if (!await deadline.WaitAsync(query, cancellationToken).ConfigureAwait(false))
        {
            return SrvLookupResult.Failed($"no answer from the DNS server(s) {serverList} within {timeout.TotalMilliseconds:0} ms");
        }

        IDnsQueryResponse response;
        try
        {
            response = await query.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // DnsClient reports an unreachable or silent server as DnsResponseException, a socket error as itself.
            return SrvLookupResult.Failed($"the DNS server(s) {serverList} gave no answer: {e.Message}");
        }

        if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
        {
            return SrvLookupResult.Found(Array.Empty<SrvRecordAnswer>());
        }

        if (response.HasError)
        {
            return SrvLookupResult.Failed($"the DNS server {response.NameServer} answered {response.ErrorMessage}");
        }

        return SrvLookupResult.Found(response.Answers.SrvRecords()
            .Select(record => new SrvRecordAnswer(record.Target.Value.TrimEnd('.'), record.Port, record.Priority, record.Weight))
            .ToArray());
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
