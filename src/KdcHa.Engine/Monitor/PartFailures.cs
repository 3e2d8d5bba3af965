using System;
using System.Collections.Generic;

namespace KdcHa.Monitor;

/// <summary>
/// What the monitor does with an exception from one of its parts (a probe, a watcher, the track or status files, an
/// event sink): a <see cref="MonitorSourceFailedEvent"/>, at most one per part per <see cref="ReportInterval"/>, the
/// next one counting those left out, so a part that throws every round cannot flood the pipeline or the alerts.
/// </summary>
internal sealed class PartFailures
{
    internal static readonly TimeSpan ReportInterval = TimeSpan.FromMinutes(1);

    private readonly string _node;
    private readonly IMonitorClock _clock;
    private readonly IMonitorEventSink _events;
    private readonly Dictionary<string, (DateTime Reported, int LeftOut)> _parts = new(StringComparer.Ordinal);

    public PartFailures(string node, IMonitorClock clock, IMonitorEventSink events)
    {
        _node = node;
        _clock = clock;
        _events = events;
    }

    /// <summary>Runs <paramref name="action"/>; what it throws is reported, not passed on.</summary>
    public void Guard(string part, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            Report(part, e);
        }
    }

    public void Report(string part, Exception error)
    {
        var now = _clock.UtcNow;
        string message;
        lock (_parts)
        {
            if (_parts.TryGetValue(part, out var last) && now - last.Reported < ReportInterval)
            {
                _parts[part] = (last.Reported, last.LeftOut + 1);
                return;
            }

            _parts[part] = (now, 0);
            message = $"{error.GetType().Name}: {error.Message}" + (last.LeftOut > 0 ? $" ({last.LeftOut} more failures since {last.Reported:HH:mm:ss} were not reported)" : string.Empty);
        }

        try
        {
            _events.Publish(new MonitorSourceFailedEvent(_node, now, part, message));
        }
        catch (Exception)
        {
            // The sink itself fails: nothing is left to tell, and the monitor must go on.
        }
    }
}
