using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Health;

namespace KdcHa.Monitor;

/// <summary>Probes one KDC once; a down KDC is a result, never an exception.</summary>
public interface IKdcProber
{
    Task<KdcHealthResult> ProbeAsync(KdcProbeRequest request, CancellationToken cancellationToken);
}
