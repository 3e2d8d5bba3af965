using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using KdcHa.Common;
using KdcHa.Notification;

namespace KdcHa.Monitor;

/// <summary>Receives the monitor's events. Must not block: the monitor loop calls it between probes.</summary>
public interface IMonitorEventSink
{
    void Publish(MonitorEvent monitorEvent);
}

/// <summary>
/// Writes each event to the host: a verbose line and the event object. Never progress: the monitor runs for days, and
/// a bar that the host rate-limits would show a stale event as if it were current.
/// </summary>
internal sealed class OutputEventSink : IMonitorEventSink
{
    private readonly IOperationOutput _output;

    public OutputEventSink(IOperationOutput output)
    {
        _output = output;
    }

    public void Publish(MonitorEvent monitorEvent)
    {
        _output.WriteVerbose($"[{monitorEvent.Severity}] {monitorEvent.EventType}: {monitorEvent.Message}");
        _output.WriteObject(monitorEvent);
    }
}

/// <summary>Publishes every event to several sinks in order (the pipeline queue, then notifications).</summary>
public sealed class FanOutEventSink : IMonitorEventSink
{
    private readonly IReadOnlyList<IMonitorEventSink> _sinks;

    public FanOutEventSink(params IMonitorEventSink[] sinks)
    {
        _sinks = sinks;
    }

    public void Publish(MonitorEvent monitorEvent)
    {
        foreach (var sink in _sinks)
        {
            sink.Publish(monitorEvent);
        }
    }
}

/// <summary>
/// Sends the monitor's alert-worthy events to the notification dispatcher. Publish only queues in memory: the
/// dispatcher's Enqueue writes the spool durably (fsync), which must not cost the probe loop a millisecond, so a
/// dedicated thread does it.
/// </summary>
public sealed class NotifyingEventSink : IMonitorEventSink, IDisposable
{
    private readonly BlockingCollection<NotificationEvent> _pending = new();
    private readonly Action<NotificationEvent> _enqueue;
    private readonly Action<NotificationEvent, Exception> _failed;
    private readonly Thread _worker;

    /// <param name="enqueue">Hands one notification to the dispatcher, such as <c>n => dispatcher.Enqueue(n, channels)</c>.</param>
    /// <param name="failed">Told when <paramref name="enqueue"/> throws (a full disk, a spool without permission).</param>
    public NotifyingEventSink(Action<NotificationEvent> enqueue, Action<NotificationEvent, Exception> failed)
    {
        _enqueue = enqueue ?? throw new ArgumentNullException(nameof(enqueue));
        _failed = failed ?? throw new ArgumentNullException(nameof(failed));
        _worker = new Thread(Run) { IsBackground = true, Name = "KdcHa monitor notifications" };
        _worker.Start();
    }

    public void Publish(MonitorEvent monitorEvent)
    {
        if (MonitorNotifications.ToNotification(monitorEvent) is { } notification)
        {
            try
            {
                _pending.Add(notification);
            }
            catch (InvalidOperationException)
            {
                // Completed: the monitor is stopping and its last events carry no alert.
            }
        }
    }

    /// <summary>Takes no more events and waits up to <paramref name="grace"/> for the queued ones to reach the dispatcher.</summary>
    public bool Complete(TimeSpan grace)
    {
        _pending.CompleteAdding();
        return _worker.Join(grace);
    }

    public void Dispose()
    {
        Complete(TimeSpan.Zero);
    }

    private void Run()
    {
        foreach (var notification in _pending.GetConsumingEnumerable())
        {
            try
            {
                _enqueue(notification);
            }
            catch (Exception e)
            {
                _failed(notification, e);
            }
        }
    }
}

/// <summary>
/// The one place that decides which monitor events are alerts and what they say. Events without a notification
/// meaning (start, stop, FAULT flag changes, source failures) map to null: the pipeline and the log have them.
/// </summary>
public static class MonitorNotifications
{
    public const string Source = "Start-KdcHaMonitor";

    private const string AllKdcs = "all KDCs";

    public static NotificationEvent? ToNotification(MonitorEvent monitorEvent) => monitorEvent switch
    {
        HealthChangedEvent { Health: KdcHealthState.Down } e => Alert(e, NotificationSeverity.Warning, NotificationKind.KdcUnhealthy, e.Kdc, e.PreviousState, e.State),

        // Unknown to Up is the monitor starting, not a recovery.
        HealthChangedEvent { Health: KdcHealthState.Up, PreviousHealth: KdcHealthState.Down } e => Alert(e, NotificationSeverity.Info, NotificationKind.KdcRecovered, e.Kdc, e.PreviousState, e.State),
        AllKdcsDownEvent { Resolved: false } e => Alert(e, NotificationSeverity.Critical, NotificationKind.KdcUnhealthy, AllKdcs, "Up", "Down"),
        AllKdcsDownEvent e => Alert(e, NotificationSeverity.Info, NotificationKind.KdcRecovered, AllKdcs, "Down", "Up"),
        VrrpStateChangedEvent e => Alert(e, e.Level == MonitorEventSeverity.Warning ? NotificationSeverity.Warning : NotificationSeverity.Info,
            NotificationKind.VrrpStateChanged, e.Instance, e.PreviousState, e.State, ("priority", e.Priority?.ToString(CultureInfo.InvariantCulture))),
        SplitBrainSuspectedEvent e => Alert(e, NotificationSeverity.Critical, NotificationKind.SplitBrain, Vrid(e.VirtualRouterId), "Single", "SplitBrain",
            ("masters", string.Join(", ", e.Masters))),
        SplitBrainClearedEvent e => Alert(e, NotificationSeverity.Info, NotificationKind.SplitBrain, Vrid(e.VirtualRouterId), "SplitBrain", "Single"),
        OrphanedVipEvent e => Alert(e, NotificationSeverity.Critical, NotificationKind.SplitBrain, Vrid(e.VirtualRouterId), "SplitBrain", e.Released ? "Single" : "SplitBrain",
            ("master", e.Master), ("addresses", string.Join(", ", e.Addresses))),
        _ => null,
    };

    private static string Vrid(int virtualRouterId) => "VRID " + virtualRouterId.ToString(CultureInfo.InvariantCulture);

    private static NotificationEvent Alert(
        MonitorEvent e, NotificationSeverity severity, NotificationKind kind, string instance, string oldState, string newState, params (string Key, string? Value)[] details)
    {
        var map = new Dictionary<string, string> { ["eventType"] = e.EventType };
        foreach (var (key, value) in details)
        {
            if (value is not null)
            {
                map[key] = value;
            }
        }

        return new NotificationEvent
        {
            Time = e.Timestamp,
            Host = e.Node,
            Source = Source,
            Severity = severity,
            Kind = kind,
            Instance = instance,
            OldState = oldState,
            NewState = newState,
            Message = e.Message,
            Details = map,
        };
    }
}
