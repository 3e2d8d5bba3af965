using System;
using KdcHa.Kerberos.Discovery;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Kerberos.Health;

/// <summary>Everything needed to probe one KDC once.</summary>
public sealed class KdcProbeRequest
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    /// <summary>A realm is a DNS-style name, at most 255 characters; no KDC serves a longer one.</summary>
    public const int MaxRealmLength = 255;

    /// <summary>
    /// Far above any real principal (a service name and a host name), and low enough that every AS-REQ fits in one
    /// UDP datagram, so forced UDP never meets a request it cannot send.
    /// </summary>
    public const int MaxPrincipalLength = 1024;

    public KdcProbeRequest(KdcEndpoint endpoint, string realm, PrincipalName client, bool clientIsExpectedToExist)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        Realm = string.IsNullOrEmpty(realm) ? throw new ArgumentException("A realm is required.", nameof(realm)) : realm;
        if (realm.Length > MaxRealmLength)
        {
            throw new ArgumentException($"The realm is {realm.Length} characters long; a realm has at most {MaxRealmLength}.", nameof(realm));
        }

        Client = client ?? throw new ArgumentNullException(nameof(client));
        if (client.ToString().Length > MaxPrincipalLength)
        {
            throw new ArgumentException($"The client principal is {client.ToString().Length} characters long; a principal has at most {MaxPrincipalLength}.", nameof(client));
        }
        ClientIsExpectedToExist = clientIsExpectedToExist;
    }

    public KdcEndpoint Endpoint { get; }

    /// <summary>Where <see cref="Endpoint"/> came from; the result reports it.</summary>
    public KdcSource Source { get; init; } = KdcSource.Parameter;

    public string Realm { get; }

    public PrincipalName Client { get; }

    /// <summary>
    /// False when the caller named no principal and a probe name stands in: then "principal unknown" is the
    /// expected answer and proves the KDC looked the name up in its database.
    /// </summary>
    public bool ClientIsExpectedToExist { get; }

    public KdcProbeLevel Level { get; init; } = KdcProbeLevel.Reachable;

    public IClientKeySource? KeySource { get; init; }

    public KdcTransportProtocol Transport { get; init; } = KdcTransportProtocol.Auto;

    /// <summary>The whole probe, name resolution and both exchanges included, never takes longer than this.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public string ClientPrincipal => $"{Client}@{Realm}";

    /// <summary>The same probe with another deadline.</summary>
    public KdcProbeRequest WithTimeout(TimeSpan timeout) => Copy(Level, timeout);

    /// <summary>The same probe at another level: Reachable keeps the principal, so the KDC still looks it up.</summary>
    public KdcProbeRequest WithLevel(KdcProbeLevel level) => Copy(level, Timeout);

    private KdcProbeRequest Copy(KdcProbeLevel level, TimeSpan timeout) => new(Endpoint, Realm, Client, ClientIsExpectedToExist)
    {
        Level = level,
        KeySource = KeySource,
        Transport = Transport,
        Timeout = timeout,
    };
}
