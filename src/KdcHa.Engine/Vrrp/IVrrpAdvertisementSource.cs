using System;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>Where VRRP advertisements are heard: a socket on an interface in production, a script in unit tests.</summary>
public interface IVrrpAdvertisementSource : IDisposable
{
    /// <summary>The next advertisement; null once disposed. Cancelling loses no packet: it waits for the next call.</summary>
    Task<VrrpAdvertisement?> ReceiveAsync(CancellationToken cancellationToken);
}
