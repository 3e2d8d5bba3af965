using System;
using System.Collections.Generic;

namespace KdcHa.Notification;

/// <summary>
/// One alert, as the monitor, a script or Send-KdcHaNotification raises it. Every channel renders the same event;
/// <see cref="Id"/> travels with each delivery (Idempotency-Key, Message-ID, syslog structured data) so receivers can
/// drop the repeat a crash between "accepted" and "removed from the spool" may cause.
/// </summary>
public sealed record NotificationEvent
{
    public string Id { get; init; } = Guid.NewGuid().ToString("N");

    public DateTime Time { get; init; } = DateTime.UtcNow;

    public string Host { get; init; } = Environment.MachineName;

    public string Source { get; init; } = "KdcHa";

    public NotificationSeverity Severity { get; init; } = NotificationSeverity.Info;

    public NotificationKind Kind { get; init; } = NotificationKind.Custom;

    public string? Instance { get; init; }

    public string? OldState { get; init; }

    public string? NewState { get; init; }

    public string? Title { get; init; }

    public string Message { get; init; } = string.Empty;

    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    /// <summary>The title channels show: the given one, else "Critical: KdcUnhealthy on kdc1 (VI_1)".</summary>
    public string DisplayTitle
    {
        get
        {
            if (!string.IsNullOrEmpty(Title))
            {
                return Title!;
            }

            var where = string.IsNullOrEmpty(Instance) ? Host : $"{Host} ({Instance})";
            return $"{Severity}: {Kind} on {where}";
        }
    }
}

public enum NotificationKind
{
    Custom,
    VrrpStateChanged,
    KdcUnhealthy,
    KdcRecovered,
    SplitBrain,
    SwitchoverCompleted,

    /// <summary>Stands for several state changes of one instance that the flap window held back.</summary>
    FlapSummary,

    /// <summary>Reports notifications a full spool dropped, so the loss itself reaches the on-call channel.</summary>
    SpoolOverflow,

    ChannelTest,
}

public enum NotificationSeverity
{
    Info,
    Warning,
    Critical,
}
