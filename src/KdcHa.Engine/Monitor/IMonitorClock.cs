using System;
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
