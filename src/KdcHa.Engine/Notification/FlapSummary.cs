using System;
using System.Collections.Generic;
using System.Globalization;

namespace KdcHa.Notification;

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
