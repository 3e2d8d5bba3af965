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

    // Completed by Signal, replaced once a wait has seen it. Unlike a semaphore wait, an awaited task that timed out
    // leaves nothing behind that could swallow the next signal.
    private TaskCompletionSource _wake = NewWake();

    public Task Loop { get; set; } = Task.CompletedTask;

    /// <summary>Failed attempts in a row on the entry at the head of the lane.</summary>
    public int Failures { get; set; }

    public DateTime RetryAt { get; set; } = DateTime.MinValue;

    public string LastError { get; set; } = string.Empty;

    public int EvictedSinceReport { get; set; }

    public DateTime LastOverflowReport { get; set; } = DateTime.MinValue;

    /// <summary>Wakes the loop; one pending wake-up covers any number of new entries.</summary>
    public void Signal() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>Returns when signalled or when <paramref name="timeout"/> has passed on <paramref name="time"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var wake = Volatile.Read(ref _wake);
        try
        {
            await wake.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return;
        }

        // The entries behind a signal that lands between here and the next wait are read by the drain that follows.
        Interlocked.CompareExchange(ref _wake, NewWake(), wake);
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
