using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

/// <summary>Adverts pushed by <see cref="SimulatedKeepalived"/>, read in order by the switchover.</summary>
internal sealed class SimulatedListener : IPeerListener
{
    private readonly Channel<PeerAdvertisement> _adverts = Channel.CreateUnbounded<PeerAdvertisement>();

    public bool Disposed { get; private set; }

    public void Push(PeerAdvertisement advertisement) => _adverts.Writer.TryWrite(advertisement);

    public Task<PeerAdvertisement> ReceiveAsync(CancellationToken cancellationToken) => _adverts.Reader.ReadAsync(cancellationToken).AsTask();

    public void Dispose() => Disposed = true;
}
