using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Vrrp;

namespace KdcHa.Monitor;

/// <summary>
/// Turns keepalived's notify FIFO into <see cref="VrrpStateChangedEvent"/>s and the status file's VRRP section.
/// A FIFO that cannot be opened or fails is opened again every retry delay.
/// </summary>
public sealed class NotifyFifoWatcher : IMonitorWatcher
{
    private readonly string _node;
    private readonly Func<IVrrpNotificationSource> _open;
    private readonly VrrpObservations _observations;
    private readonly IMonitorEventSink _events;
    private readonly IMonitorClock _clock;
    private readonly RetryingSource _source;

    public NotifyFifoWatcher(string node, string description, Func<IVrrpNotificationSource> open, VrrpObservations observations, IMonitorEventSink events, IMonitorClock clock, TimeSpan retryDelay)
    {
        _node = node;
        _open = open;
        _observations = observations;
        _events = events;
        _clock = clock;
        _source = new RetryingSource(node, description, events, clock, retryDelay);
    }

    // A FIFO not there yet is quiet: keepalived creates it when it starts, which may be after the monitor.
    public Task RunAsync(CancellationToken cancellationToken) =>
        _source.RunAsync(_open, ReadAsync, e => e is FileNotFoundException or DirectoryNotFoundException, cancellationToken);

    private async Task ReadAsync(IVrrpNotificationSource source, CancellationToken cancellationToken)
    {
        while (await source.ReadAsync(cancellationToken).ConfigureAwait(false) is { } notification)
        {
            Observe(notification);
        }
    }

    public void Observe(VrrpNotification notification)
    {
        var now = _clock.UtcNow;
        if (_observations.Record(notification, now) is { } previous)
        {
            _events.Publish(new VrrpStateChangedEvent(_node, now, notification.Name, previous, notification.State, notification.Priority));
        }
    }
}
