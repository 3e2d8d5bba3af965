using System;
using System.Collections.Generic;
using System.Globalization;
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

/// <summary>The state changes of one VRRP instance inside one flap window, collected until the window closes.</summary>
internal sealed class FlapSummary
{
    public FlapSummary(NotificationEvent first, DateTime windowStart, int changesSoFar, TimeSpan window)
    {
        First = first;
        Last = first;
        WindowStart = windowStart;
        Changes = changesSoFar;
        Window = window;
        Severity = first.Severity;
    }

    public NotificationEvent First { get; }

    public NotificationEvent Last { get; private set; }

    public DateTime WindowStart { get; }

    public TimeSpan Window { get; }

    public DateTime Due => WindowStart + Window;

    public int Changes { get; private set; }

    public int HeldBack { get; private set; } = 1;

    public NotificationSeverity Severity { get; private set; }

    public void Add(NotificationEvent change)
    {
        Last = change;
        Changes++;
        HeldBack++;
        Severity = (NotificationSeverity)Math.Max((int)Severity, (int)change.Severity);
    }

    public NotificationEvent ToEvent(DateTime now)
    {
        var seconds = Window.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        return new NotificationEvent
        {
            Time = now,
            Host = Last.Host,
            Source = Last.Source,
            Kind = NotificationKind.FlapSummary,
            Severity = (NotificationSeverity)Math.Max((int)NotificationSeverity.Warning, (int)Severity),
            Instance = Last.Instance,
            OldState = First.OldState,
            NewState = Last.NewState,
            Message = $"{Last.Instance} changed state {Changes} times in {seconds} s on {Last.Host}; it is now {Last.NewState ?? "unknown"}. " +
                $"{HeldBack} of those alerts were held back.",
            Details = new Dictionary<string, string>
            {
                ["changes"] = Changes.ToString(CultureInfo.InvariantCulture),
                ["heldBack"] = HeldBack.ToString(CultureInfo.InvariantCulture),
                ["windowSeconds"] = seconds,
                ["windowStart"] = WindowStart.ToString("o", CultureInfo.InvariantCulture),
            },
        };
    }
}

/// <summary>
/// Exponential backoff with "equal jitter": half the capped exponential delay is fixed, half random, so two nodes
/// that lost the same endpoint at the same moment do not retry in lockstep, yet nobody retries at once.
/// </summary>
public sealed class RetryBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _maximum;
    private readonly Random _random;
    private readonly object _gate = new();

    public RetryBackoff(TimeSpan initial, TimeSpan maximum, Random? random = null)
    {
        _initial = initial;
        _maximum = maximum;
        _random = random ?? new Random();
    }

    /// <param name="failures">How many attempts in a row have failed, from 1.</param>
    public TimeSpan Delay(int failures)
    {
        var exponent = Math.Min(failures - 1, 30);
        var capped = Math.Min(_maximum.TotalMilliseconds, _initial.TotalMilliseconds * Math.Pow(2, exponent));
        double jitter;
        lock (_gate)
        {
            jitter = _random.NextDouble();
        }

        return TimeSpan.FromMilliseconds(capped / 2 + jitter * capped / 2);
    }
}

/// <summary>What the throttle makes of one notification.</summary>
public enum ThrottleDecision
{
    /// <summary>Spool it for its channels.</summary>
    Deliver,

    /// <summary>The same alert went out within the duplicate window.</summary>
    Duplicate,

    /// <summary>Its instance is flapping: the flap summary will stand for it.</summary>
    Flapping,
}
