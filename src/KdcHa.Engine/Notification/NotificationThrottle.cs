using System;
using System.Collections.Generic;
using System.Linq;

namespace KdcHa.Notification;

/// <summary>
/// Keeps a burst from paging anyone twice. An identical alert (same kind, severity, instance, states and message)
/// within the duplicate window is dropped, so a still-broken KDC re-alerts once per window rather than per probe.
/// State changes are exempt from that: BACKUP to MASTER a second time is a new fact, and dropping it would leave
/// the last alert naming the wrong state; flap handling covers their repetition.
/// Once a VRRP instance changes state more than the flap threshold within the flap window, its further changes are
/// held back and reported as one summary when the window closes ("VI_1 changed state 7 times in 60 s").
/// Not thread-safe: the dispatcher serialises calls.
/// </summary>
public sealed class NotificationThrottle
{
    private readonly TimeSpan _duplicateWindow;
    private readonly TimeSpan _flapWindow;
    private readonly int _flapThreshold;
    private readonly Dictionary<string, DateTime> _lastSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTime>> _changes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FlapSummary> _openSummaries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _lastSummaryEnd = new(StringComparer.Ordinal);

    public NotificationThrottle(TimeSpan duplicateWindow, TimeSpan flapWindow, int flapThreshold)
    {
        _duplicateWindow = duplicateWindow;
        _flapWindow = flapWindow;
        _flapThreshold = flapThreshold;
    }

    public ThrottleDecision Admit(NotificationEvent notification, DateTime now)
    {
        if (notification.Kind is NotificationKind.FlapSummary or NotificationKind.SpoolOverflow or NotificationKind.ChannelTest)
        {
            return ThrottleDecision.Deliver;
        }

        if (IsDuplicate(notification, now))
        {
            return ThrottleDecision.Duplicate;
        }

        return notification.Kind == NotificationKind.VrrpStateChanged && !string.IsNullOrEmpty(notification.Instance) && IsFlapping(notification, now)
            ? ThrottleDecision.Flapping
            : ThrottleDecision.Deliver;
    }

    /// <summary>Summaries whose window has closed, or all open ones when the caller is about to stop.</summary>
    public IReadOnlyList<NotificationEvent> TakeSummaries(DateTime now, bool all)
    {
        var due = _openSummaries.Where(open => all || open.Value.Due <= now).ToList();
        foreach (var summary in due)
        {
            _openSummaries.Remove(summary.Key);
            _lastSummaryEnd[summary.Key] = summary.Value.Due;
        }

        return due.Select(summary => summary.Value.ToEvent(now)).ToList();
    }

    private bool IsDuplicate(NotificationEvent notification, DateTime now)
    {
        foreach (var stale in _lastSeen.Where(seen => now - seen.Value >= _duplicateWindow).Select(seen => seen.Key).ToList())
        {
            _lastSeen.Remove(stale);
        }

        var key = notification.Kind == NotificationKind.VrrpStateChanged
            ? notification.Id
            : string.Join("\u001f", notification.Kind, notification.Severity, notification.Instance, notification.OldState, notification.NewState, notification.Message);
        if (_lastSeen.ContainsKey(key) || _lastSeen.ContainsKey(notification.Id))
        {
            return true;
        }

        _lastSeen[key] = now;
        _lastSeen[notification.Id] = now;
        return false;
    }

    private bool IsFlapping(NotificationEvent change, DateTime now)
    {
        var instance = change.Instance!;
        if (!_changes.TryGetValue(instance, out var times))
        {
            times = new Queue<DateTime>();
            _changes[instance] = times;
        }

        times.Enqueue(now);
        while (now - times.Peek() > _flapWindow)
        {
            times.Dequeue();
        }

        if (_openSummaries.TryGetValue(instance, out var open))
        {
            open.Add(change);
            return true;
        }

        if (times.Count <= _flapThreshold)
        {
            return false;
        }

        // A new window starts where the last summary ended, so no change is counted in two summaries.
        var start = times.Peek();
        if (_lastSummaryEnd.TryGetValue(instance, out var previousEnd) && previousEnd > start)
        {
            start = previousEnd;
        }

        _openSummaries[instance] = new FlapSummary(change, start, times.Count(time => time >= start), _flapWindow);
        return true;
    }
}
