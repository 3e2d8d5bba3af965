using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Monitor;

/// <summary>Time for the monitor loop: monotonic for scheduling, UTC for what people read.</summary>
public interface IMonitorClock
{
    TimeSpan Elapsed { get; }

    DateTime UtcNow { get; }

    Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>Stopwatch (CLOCK_MONOTONIC) for intervals, so a wall-clock step never shortens or stretches one.</summary>
public sealed class SystemMonitorClock : IMonitorClock
{
    private readonly Stopwatch _stopwatch = Stopwatch.StartNew();

    public TimeSpan Elapsed => _stopwatch.Elapsed;

    public DateTime UtcNow => DateTime.UtcNow;

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, cancellationToken) : Task.CompletedTask;
}
