using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Keepalived;
using KdcHa.Vrrp;

namespace KdcHa.Monitor;

/// <summary>
/// A source the monitor watches beside its probes (keepalived's notify FIFO, the VRRP wire). Each runs on its own
/// task so the probe loop never waits on it; it handles its own failures and returns only when cancelled.
/// </summary>
public interface IMonitorWatcher
{
    Task RunAsync(CancellationToken cancellationToken);
}

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

/// <summary>
/// What the watchers learnt about VRRP, for the status file. The watchers write from their own tasks while the probe
/// loop takes snapshots, hence the lock; every read returns copies.
/// </summary>
public sealed class VrrpObservations
{
    private readonly object _gate = new();
    private readonly Dictionary<string, VrrpInstanceStatus> _instances = new(StringComparer.Ordinal);
    private List<SplitBrainStatus> _splitBrains = new();

    /// <summary>Records a notification; returns the previous state when the state changed (Unknown the first time), else null.</summary>
    public VrrpState? Record(VrrpNotification notification, DateTime now)
    {
        lock (_gate)
        {
            var key = notification.Kind + " " + notification.Name;
            if (!_instances.TryGetValue(key, out var status))
            {
                status = new VrrpInstanceStatus { Kind = notification.Kind, Instance = notification.Name, InstanceState = VrrpState.Unknown };
                _instances.Add(key, status);
            }

            // Priority events (MASTER_PRIORITY and the like) repeat the state: they refresh the priority only.
            status.Priority = notification.Priority ?? status.Priority;
            var previous = status.InstanceState;
            if (previous == notification.State)
            {
                return null;
            }

            status.InstanceState = notification.State;
            status.StateSince = now;
            return previous;
        }
    }

    public void SetSplitBrains(IEnumerable<SplitBrainStatus> splitBrains)
    {
        var copy = splitBrains.Select(splitBrain => splitBrain.Copy()).ToList();
        lock (_gate)
        {
            _splitBrains = copy;
        }
    }

    public List<VrrpInstanceStatus> Instances()
    {
        lock (_gate)
        {
            return _instances.Values.OrderBy(i => i.Instance, StringComparer.Ordinal).Select(i => i.Copy()).ToList();
        }
    }

    public List<SplitBrainStatus> SplitBrains()
    {
        lock (_gate)
        {
            return _splitBrains.Select(splitBrain => splitBrain.Copy()).ToList();
        }
    }
}

/// <summary>
/// How a watcher keeps its source: opened, used until it ends or fails, then opened again after a delay, for as long
/// as the monitor runs. A failure is published once until the source works again, so a source retried every second
/// does not flood the pipeline with the same warning.
/// </summary>
internal sealed class RetryingSource
{
    private readonly string _node;
    private readonly string _source;
    private readonly IMonitorEventSink _events;
    private readonly IMonitorClock _clock;
    private readonly TimeSpan _retryDelay;
    private string? _lastError;

    public RetryingSource(string node, string source, IMonitorEventSink events, IMonitorClock clock, TimeSpan retryDelay)
    {
        _node = node;
        _source = source;
        _events = events;
        _clock = clock;
        _retryDelay = retryDelay;
    }

    /// <summary>
    /// Opens the source with <paramref name="open"/> and hands it to <paramref name="use"/>, again and again until
    /// cancelled. Failures for which <paramref name="isQuiet"/> is true are a normal state of affairs, not warnings.
    /// </summary>
    public async Task RunAsync<TSource>(Func<TSource> open, Func<TSource, CancellationToken, Task> use, Func<Exception, bool> isQuiet, CancellationToken cancellationToken)
        where TSource : IDisposable
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var source = open();
                _lastError = null;
                await use(source, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!isQuiet(e))
            {
                Report(e);
            }
            catch (Exception)
            {
                // Quiet: retried without a word.
            }

            try
            {
                await _clock.DelayAsync(_retryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Report(Exception error)
    {
        if (error.Message == _lastError)
        {
            return;
        }

        _lastError = error.Message;
        _events.Publish(new MonitorSourceFailedEvent(_node, _clock.UtcNow, _source, error.Message));
    }
}
