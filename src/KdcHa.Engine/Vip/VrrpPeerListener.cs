using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Vrrp;

namespace KdcHa.Vip;

/// <summary>The adverts of one virtual router; other routers on the same interface are skipped.</summary>
internal sealed class VrrpPeerListener : IPeerListener
{
    private readonly VrrpAdvertisementListener _listener;
    private readonly AddressFamily _family;
    private readonly int _virtualRouterId;

    public VrrpPeerListener(VrrpAdvertisementListener listener, AddressFamily family, int virtualRouterId)
    {
        _listener = listener;
        _family = family;
        _virtualRouterId = virtualRouterId;
    }

    public async Task<PeerAdvertisement> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var advertisement = await _listener.ReceiveAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new ObjectDisposedException(nameof(VrrpPeerListener));
            if (advertisement.Family == _family && advertisement.VirtualRouterId == _virtualRouterId)
            {
                return new PeerAdvertisement(advertisement.Source, advertisement.VirtualRouterId, advertisement.Priority, advertisement.ReceivedUtc);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
