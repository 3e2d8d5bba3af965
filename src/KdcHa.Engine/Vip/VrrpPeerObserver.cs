using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Vrrp;

namespace KdcHa.Vip;

/// <summary>
/// Opens a listener for the advertisements of a virtual router: an id within one address family, since an IPv4 and
/// an IPv6 router may share an id. The switchover opens it before it demotes the node, so the new master's first
/// advertisement cannot be missed.
/// </summary>
public interface IPeerObserver
{
    IPeerListener Listen(string interfaceName, AddressFamily family, int virtualRouterId);
}

/// <summary>Peers as heard on the wire, through the VRRP listener (IPv4 and IPv6 VRRP on one interface).</summary>
public sealed class VrrpPeerObserver : IPeerObserver
{
    public IPeerListener Listen(string interfaceName, AddressFamily family, int virtualRouterId) =>
        new VrrpPeerListener(new VrrpAdvertisementListener(interfaceName), family, virtualRouterId);
}

/// <summary>VRRP advertisements of one virtual router on one interface, in arrival order.</summary>
public interface IPeerListener : IDisposable
{
    Task<PeerAdvertisement> ReceiveAsync(CancellationToken cancellationToken);
}

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

/// <summary>One VRRP advertisement heard on the wire: only a master sends them.</summary>
public sealed class PeerAdvertisement
{
    public PeerAdvertisement(IPAddress source, int virtualRouterId, int priority, DateTime receivedUtc)
    {
        Source = source ?? throw new ArgumentNullException(nameof(source));
        VirtualRouterId = virtualRouterId;
        Priority = priority;
        ReceivedUtc = receivedUtc;
    }

    public IPAddress Source { get; }

    public int VirtualRouterId { get; }

    /// <summary>0 means the sender is leaving the master role.</summary>
    public int Priority { get; }

    public DateTime ReceivedUtc { get; }

    public override string ToString() => $"{Source} (priority {Priority})";
}
