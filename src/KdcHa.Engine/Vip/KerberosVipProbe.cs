using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Vip;

/// <summary>One Kerberos probe of the VIP: the proof that clients are served after the move.</summary>
public interface IVipProbe
{
    Task<KdcHealthResult> ProbeAsync(IPAddress vip, CancellationToken cancellationToken);
}

/// <summary>
/// A Reachable-level AS exchange with the VIP: a KDC that answers PREAUTH_REQUIRED or PRINCIPAL_UNKNOWN read its
/// database, which is what a client needs.
/// </summary>
public sealed class KerberosVipProbe : IVipProbe
{
    // Stands in for the client: "principal unknown" from the KDC proves a database lookup.
    private const string ProbeClientName = "kdcha-probe";

    private readonly KdcHealthProbe _probe;
    private readonly string _realm;
    private readonly TimeSpan _timeout;

    public KerberosVipProbe(KdcHealthProbe probe, string realm, TimeSpan timeout)
    {
        _probe = probe ?? throw new ArgumentNullException(nameof(probe));
        _realm = string.IsNullOrEmpty(realm) ? throw new ArgumentException("A realm is required.", nameof(realm)) : realm;
        _timeout = timeout;
    }

    public Task<KdcHealthResult> ProbeAsync(IPAddress vip, CancellationToken cancellationToken) =>
        _probe.ProbeAsync(
            new KdcProbeRequest(new KdcEndpoint(vip.ToString()), _realm, PrincipalName.Parse(ProbeClientName), clientIsExpectedToExist: false)
            {
                Timeout = _timeout,
            },
            cancellationToken);
}
