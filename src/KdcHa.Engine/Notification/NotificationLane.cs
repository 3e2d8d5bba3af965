using System;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification;

/// <summary>One channel's delivery state: its wake-up signal, its backoff, and the loop that drains its spool folder.</summary>
internal sealed class NotificationLane
{
    public NotificationLane(INotificationChannel channel)
    {
        Channel = channel;
    }

    public INotificationChannel Channel { get; }

    public string Name => Channel.Definition.Name;

    public SemaphoreSlim Wake { get; } = new(0, 1);

    public Task Loop { get; set; } = Task.CompletedTask;

    /// <summary>Failed attempts in a row on the entry at the head of the lane.</summary>
    public int Failures { get; set; }

    public DateTime RetryAt { get; set; } = DateTime.MinValue;

    public string LastError { get; set; } = string.Empty;

    public int EvictedSinceReport { get; set; }

    public DateTime LastOverflowReport { get; set; } = DateTime.MinValue;

    public void Signal()
    {
        try
        {
            Wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one pending wake-up covers any number of new entries.
        }
    }
}
