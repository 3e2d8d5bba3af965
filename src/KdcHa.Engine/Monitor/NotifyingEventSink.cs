using System;
using System.Collections.Concurrent;
using System.Threading;
using KdcHa.Notification;

namespace KdcHa.Monitor;

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
