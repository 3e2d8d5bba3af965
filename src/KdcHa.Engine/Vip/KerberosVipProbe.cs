using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Health;
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
    private readonly KdcHealthProbe _probe;
    private readonly string _realm;
    private readonly KdcProbeTargetFactory _targets;

    public KerberosVipProbe(KdcHealthProbe probe, string realm, TimeSpan timeout)
    {
        _probe = probe ?? throw new ArgumentNullException(nameof(probe));
        _realm = string.IsNullOrEmpty(realm) ? throw new ArgumentException("A realm is required.", nameof(realm)) : realm;

        // No key: the stand-in client, whose "principal unknown" from the KDC proves a database lookup.
        _targets = new KdcProbeTargetFactory { Timeout = timeout };
    }

    public Task<KdcHealthResult> ProbeAsync(IPAddress vip, CancellationToken cancellationToken) =>
        _probe.ProbeAsync(_targets.Request(new KdcEndpoint(vip.ToString()), realm: _realm), cancellationToken);
}
