using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Health;

namespace KdcHa.Vip;

/// <summary>One Kerberos probe of the VIP: the proof that clients are served after the move.</summary>
public interface IVipProbe
{
    Task<KdcHealthResult> ProbeAsync(IPAddress vip, CancellationToken cancellationToken);
}
