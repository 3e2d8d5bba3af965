using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Kerberos.Transport;

/// <summary>
/// An absolute point in Stopwatch time that every phase of one exchange shares. A phase that misses it is abandoned,
/// and its socket disposed, which aborts the operation still pending on it.
/// </summary>
internal readonly struct Deadline
{
    private static readonly Task<bool> CompletedInTime = Task.FromResult(true);

    private readonly long _expiresAt;

    private Deadline(long expiresAt)
    {
        _expiresAt = expiresAt;
    }

    public TimeSpan Remaining
    {
        get
        {
            var left = _expiresAt - Stopwatch.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : StopwatchTicksToTimeSpan(left);
        }
    }

    public bool HasPassed => Stopwatch.GetTimestamp() >= _expiresAt;

    public static Deadline After(TimeSpan budget) =>
        new(Stopwatch.GetTimestamp() + (long)Math.Ceiling(budget.Ticks * (double)Stopwatch.Frequency / TimeSpan.TicksPerSecond));

    public static TimeSpan StopwatchTicksToTimeSpan(long stopwatchTicks) =>
        TimeSpan.FromTicks((long)(stopwatchTicks * (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));

    /// <summary>The earlier of this deadline and <paramref name="budget"/> from now: a phase never outlives the whole.</summary>
    public Deadline CappedAt(TimeSpan budget)
    {
        var phase = After(budget);
        return phase._expiresAt < _expiresAt ? phase : this;
    }

    /// <summary>
    /// True once <paramref name="operation"/> completes (in any state; the caller awaits it for the outcome), false
    /// only once the deadline has passed. The operation keeps running on false: the caller must abort it (dispose its
    /// socket) and must have arranged for its fault to be observed.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public Task<bool> WaitAsync(Task operation, CancellationToken cancellationToken)
    {
        // Most sends, and replies that were already in, complete synchronously: no timer or linked source for those.
        cancellationToken.ThrowIfCancellationRequested();
        return operation.IsCompleted ? CompletedInTime : WaitAsync(this, operation, cancellationToken);
    }

    private static async Task<bool> WaitAsync(Deadline deadline, Task operation, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (operation.IsCompleted)
            {
                return true;
            }

            var remaining = deadline.Remaining;
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            // Task.WaitAsync drops the fraction of a millisecond and its timer ticks more coarsely than Stopwatch, so
            // it may end a little early: rounding up and looping make false mean the deadline really passed, and
            // callers never start one more attempt right at the end. Its timer and token registration go away as
            // soon as the operation completes; the operation's own outcome is the caller's to await.
            var wholeMilliseconds = TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds));
            await operation.WaitAsync(wholeMilliseconds, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}

/// <summary>
/// A task left behind at a deadline (a socket op aborted by disposal, a DNS lookup that never returns) may fault
/// after nobody awaits it; observing the fault keeps it out of TaskScheduler.UnobservedTaskException.
/// </summary>
internal static class AbandonedTask
{
    public static Task<T> ObserveFault<T>(Task<T> task)
    {
        _ = task.ContinueWith(
            static faulted => _ = faulted.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }
}
