using System;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>Where keepalived's state changes arrive: the notify FIFO in production, a script in unit tests.</summary>
public interface IVrrpNotificationSource : IDisposable
{
    /// <summary>The next notification, waiting as long as it takes; null once disposed.</summary>
    Task<VrrpNotification?> ReadAsync(CancellationToken cancellationToken);
}
