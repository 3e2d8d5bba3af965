using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>
/// keepalived's VrrpStatusChange signals as notifications, the DBus counterpart of <see cref="NotifyFifoReader"/>.
/// The signal names only the instance's object; names are learned when connecting and looked up for objects seen
/// later, and forgotten when keepalived says it started, reloaded or stopped. Reads by one consumer at a time.
/// </summary>
public sealed class DBusNotificationSource : IVrrpNotificationSource
{
    private readonly VrrpQuery _query;
    private readonly Dictionary<string, string> _instanceNames = new(StringComparer.Ordinal);
    private KeepalivedBus? _bus;
    private volatile bool _disposed;

    public DBusNotificationSource(VrrpQuery query)
    {
        _query = query;
    }

    /// <summary>
    /// Connects and subscribes, if not done yet: changes from then on are read in order. ReadAsync does this itself;
    /// call it first to be sure a change caused right after is not missed.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (_bus is not null || _disposed)
        {
            return;
        }

        var bus = await KeepalivedBus.ConnectAsync(_query.FindKeepalived(), _query.BusTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            await bus.SubscribeAsync(cancellationToken).ConfigureAwait(false);
            foreach (var path in await bus.InstancePathsAsync(cancellationToken).ConfigureAwait(false))
            {
                _instanceNames[path] = (await bus.ReadInstanceAsync(path, cancellationToken).ConfigureAwait(false)).Name;
            }
        }
        catch
        {
            bus.Dispose();
            throw;
        }

        _bus = bus;
        if (_disposed)
        {
            bus.Dispose();
        }
    }

    /// <summary>The next state change, waiting as long as it takes; null once disposed.</summary>
    public async Task<VrrpNotification?> ReadAsync(CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        while (!_disposed && await _bus!.NextSignalAsync(cancellationToken).ConfigureAwait(false) is { } signal)
        {
            if (signal.Interface == KeepalivedBus.VrrpInterface)
            {
                _instanceNames.Clear();
            }
            else if (signal.Member == KeepalivedBus.StatusChangeSignal && signal.Signature == "u")
            {
                var path = signal.Path!;
                if (!_instanceNames.TryGetValue(path, out var name))
                {
                    name = _instanceNames[path] = await _bus.NameOfAsync(path, cancellationToken).ConfigureAwait(false);
                }

                return VrrpNotification.ForInstance(DateTime.UtcNow, name, KeepalivedStateCodes.FromCode((uint)signal.Body[0]));
            }
        }

        return null;
    }

    public void Dispose()
    {
        _disposed = true;
        _bus?.Dispose();
    }
}
