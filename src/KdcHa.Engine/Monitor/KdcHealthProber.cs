using System;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Health;

namespace KdcHa.Monitor;

/// <summary>The monitor's prober in production: the same AS-exchange probe as Test-KdcHealth.</summary>
public sealed class KdcHealthProber : IKdcProber
{
    private readonly KdcHealthProbe _probe;

    public KdcHealthProber(KdcHealthProbe probe)
    {
        _probe = probe ?? throw new ArgumentNullException(nameof(probe));
    }

    public Task<KdcHealthResult> ProbeAsync(KdcProbeRequest request, CancellationToken cancellationToken) =>
        _probe.ProbeAsync(request, cancellationToken);
}
