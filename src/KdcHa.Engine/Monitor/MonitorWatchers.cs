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
public sealed class NotifyFifoWatcher : RetryingWatcher<IVrrpNotificationSource>
{
    private readonly VrrpObservations _observations;

    public NotifyFifoWatcher(string node, string description, Func<IVrrpNotificationSource> open, VrrpObservations observations, IMonitorEventSink events, IMonitorClock clock, TimeSpan retryDelay)
        : base(node, description, open, events, clock, retryDelay)
    {
        _observations = observations;
    }

    public void Observe(VrrpNotification notification)
    {
        var now = Clock.UtcNow;
        if (_observations.Record(notification, now) is { } previous)
        {
            Events.Publish(new VrrpStateChangedEvent(Node, now, notification.Name, previous, notification.State, notification.Priority));
        }
    }

    protected override async Task UseAsync(IVrrpNotificationSource source, CancellationToken cancellationToken)
    {
        while (await source.ReadAsync(cancellationToken).ConfigureAwait(false) is { } notification)
        {
            Observe(notification);
        }
    }

    // A FIFO not there yet is quiet: keepalived creates it when it starts, which may be after the monitor.
    protected override bool IsQuiet(Exception error) => error is FileNotFoundException or DirectoryNotFoundException;
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
/// A watcher of one VRRP source, and how it keeps it: opened, used until it ends or fails, then opened again after a
/// delay, for as long as the monitor runs. A failure is published once until the source works again, so a source
/// retried every second does not flood the pipeline with the same warning.
/// </summary>
public abstract class RetryingWatcher<TSource> : IMonitorWatcher
    where TSource : IDisposable
{
    private readonly string _description;
    private readonly Func<TSource> _open;
    private readonly TimeSpan _retryDelay;
    private string? _lastError;

    private protected RetryingWatcher(string node, string description, Func<TSource> open, IMonitorEventSink events, IMonitorClock clock, TimeSpan retryDelay)
    {
        Node = node;
        _description = description;
        _open = open;
        Events = events;
        Clock = clock;
        _retryDelay = retryDelay;
    }

    private protected string Node { get; }

    private protected IMonitorEventSink Events { get; }

    private protected IMonitorClock Clock { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var source = _open();
                _lastError = null;
                await UseAsync(source, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!IsQuiet(e))
            {
                Report(e);
            }
            catch (Exception)
            {
                // Quiet: retried without a word.
            }

            try
            {
                await Clock.DelayAsync(_retryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads the open source until it ends, fails or <paramref name="cancellationToken"/> is cancelled.</summary>
    protected abstract Task UseAsync(TSource source, CancellationToken cancellationToken);

    /// <summary>True for failures that are a normal state of affairs, retried without a warning.</summary>
    protected virtual bool IsQuiet(Exception error) => false;

    private void Report(Exception error)
    {
        if (error.Message == _lastError)
        {
            return;
        }

        _lastError = error.Message;
        Events.Publish(new MonitorSourceFailedEvent(Node, Clock.UtcNow, _description, error.Message));
    }
}
