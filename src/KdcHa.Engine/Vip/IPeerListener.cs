using System;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vip;

/// <summary>VRRP advertisements of one virtual router on one interface, in arrival order.</summary>
public interface IPeerListener : IDisposable
{
    Task<PeerAdvertisement> ReceiveAsync(CancellationToken cancellationToken);
}
