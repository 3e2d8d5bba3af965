using System;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Kerberos.Health;

/// <summary>Everything needed to probe one KDC once.</summary>
public sealed class KdcProbeRequest
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    public KdcProbeRequest(KdcEndpoint endpoint, string realm, PrincipalName client, bool clientIsExpectedToExist)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        Realm = string.IsNullOrEmpty(realm) ? throw new ArgumentException("A realm is required.", nameof(realm)) : realm;
        Client = client ?? throw new ArgumentNullException(nameof(client));
        ClientIsExpectedToExist = clientIsExpectedToExist;
    }

    public KdcEndpoint Endpoint { get; }

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
}
