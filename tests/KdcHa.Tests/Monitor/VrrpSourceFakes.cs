using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Keepalived;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Monitor;

/// <summary>A notify FIFO that returns scripted lines, then waits until cancelled, as a quiet FIFO does.</summary>
internal sealed class ScriptedNotifySource : IVrrpNotificationSource
{
    private readonly ConcurrentQueue<string> _lines;

    public ScriptedNotifySource(params string[] lines)
    {
        _lines = new ConcurrentQueue<string>(lines);
    }

    public bool Disposed { get; private set; }

    public async Task<VrrpNotification?> ReadAsync(CancellationToken cancellationToken)
    {
        while (_lines.TryDequeue(out var line))
        {
            if (VrrpNotification.TryParse(line, DateTime.UtcNow, out var notification))
            {
                return notification;
            }
        }

        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        return null;
    }

    public void Dispose() => Disposed = true;
}

/// <summary>A VRRP listener that hears nothing until cancelled.</summary>
internal sealed class SilentAdvertisementSource : IVrrpAdvertisementSource
{
    public async Task<VrrpAdvertisement?> ReceiveAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        return null;
    }

    public void Dispose()
    {
    }
}
