using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Vrrp;

namespace KdcHa.Monitor;

/// <summary>
/// Listens to the VRRP advertisements on the node's interface and reports split brains: a
/// <see cref="SplitBrainSuspectedEvent"/> when a second master is heard for a virtual router id, a
/// <see cref="SplitBrainClearedEvent"/> when only one is left. The window is three advertisement intervals, taken
/// from the advertisements themselves so it follows keepalived's advert_int without a setting to keep in step.
/// Two masters must be heard for a whole window before an episode opens: at every ordinary handover the old
/// master's last advertisement stays in the window for a moment after the new master's first, which is no split
/// brain. A real one persists, so it is reported within about two windows.
/// </summary>
public sealed class SplitBrainWatcher : RetryingWatcher<IVrrpAdvertisementSource>
{
    private const int WindowIntervals = 3;

    // Before any advertisement is heard there is nothing to age out; this only paces the empty evaluations.
    private static readonly TimeSpan IdleTick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinimumTick = TimeSpan.FromMilliseconds(20);

    private readonly Dictionary<(AddressFamily Family, int VirtualRouterId), SplitBrainStatus> _episodes = new();
    private readonly Dictionary<(AddressFamily Family, int VirtualRouterId), DateTime> _candidates = new();
    private readonly object _gate = new();
    private readonly VrrpObservations _observations;
    private SplitBrainDetector? _detector;

    public SplitBrainWatcher(string node, string description, Func<IVrrpAdvertisementSource> open, VrrpObservations observations, IMonitorEventSink events, IMonitorClock clock, TimeSpan retryDelay)
        : base(node, description, open, events, clock, retryDelay)
    {
        _observations = observations;
    }

    /// <summary>The current window: three of the longest advertisement interval heard; zero before the first advertisement.</summary>
    public TimeSpan Window => _detector?.Window ?? TimeSpan.Zero;

    // One advertisement interval: a split brain ends at most one interval after the window shows it.
    private TimeSpan Tick => _detector is null ? IdleTick : TimeSpan.FromTicks(Math.Max(MinimumTick.Ticks, _detector.Window.Ticks / WindowIntervals));

    protected override async Task UseAsync(IVrrpAdvertisementSource source, CancellationToken cancellationToken)
    {
        // One receive loop, and evaluations every tick beside it, so an episode is also closed when the wire goes
        // quiet. Receives are not cut per tick: each one holds a thread until it ends.
        var receiving = ReceiveAsync(source, cancellationToken);
        while (!receiving.IsCompleted)
        {
            await Task.WhenAny(receiving, Clock.DelayAsync(Tick, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                Evaluate(Clock.UtcNow);
            }
        }

        await receiving.ConfigureAwait(false);
    }

    private async Task ReceiveAsync(IVrrpAdvertisementSource source, CancellationToken cancellationToken)
    {
        while (await source.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } advertisement)
        {
            lock (_gate)
            {
                Observe(advertisement);
            }
        }
    }

    public void Observe(VrrpAdvertisement advertisement)
    {
        var window = TimeSpan.FromTicks((long)(advertisement.AdvertisementIntervalSeconds * WindowIntervals * TimeSpan.TicksPerSecond));
        if (_detector is null || window > _detector.Window)
        {
            // A longer interval than any heard so far: widen the window. What the old detector held is dropped; the
            // masters advertise again within one interval.
            _detector = new SplitBrainDetector(window > TimeSpan.Zero ? window : MinimumTick);
        }

        _detector.Observe(advertisement);
    }

    /// <summary>Opens and closes episodes as of <paramref name="nowUtc"/>; publishes one event for each.</summary>
    public void Evaluate(DateTime nowUtc)
    {
        var current = _detector?.Current(nowUtc) ?? Array.Empty<SplitBrainReport>();
        var changed = false;
        var reported = current.ToDictionary(report => (report.Family, report.VirtualRouterId));
        foreach (var gone in _candidates.Keys.Where(router => !reported.ContainsKey(router)).ToList())
        {
            _candidates.Remove(gone);
        }

        foreach (var (router, report) in reported.Where(entry => !_episodes.ContainsKey(entry.Key)).Select(entry => (entry.Key, entry.Value)))
        {
            if (!_candidates.TryGetValue(router, out var since))
            {
                _candidates.Add(router, nowUtc);
                continue;
            }

            if (nowUtc - since < _detector!.Window)
            {
                continue;
            }

            _candidates.Remove(router);
            _episodes.Add(router, new SplitBrainStatus { VirtualRouterId = report.VirtualRouterId, Masters = report.Masters.ToList(), Since = since });
            Events.Publish(new SplitBrainSuspectedEvent(Node, nowUtc, report.VirtualRouterId, report.Masters, since));
            changed = true;
        }

        foreach (var (router, over) in _episodes.Where(entry => !reported.ContainsKey(entry.Key)).Select(entry => (entry.Key, entry.Value)).ToList())
        {
            _episodes.Remove(router);
            Events.Publish(new SplitBrainClearedEvent(Node, nowUtc, over.VirtualRouterId, over.Since));
            changed = true;
        }

        if (changed)
        {
            _observations.SetSplitBrains(_episodes.Values);
        }
    }
}
