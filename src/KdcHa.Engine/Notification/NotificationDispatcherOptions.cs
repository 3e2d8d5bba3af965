using System;

namespace KdcHa.Notification;

public sealed class NotificationDispatcherOptions
{
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan FlapWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>State changes of one instance within the flap window that are still sent one by one.</summary>
    public int FlapThreshold { get; init; } = 3;

    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle channel looks for notifications other processes spooled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>At most one SpoolOverflow alert per channel per interval, however many notifications were dropped.</summary>
    public TimeSpan OverflowReportInterval { get; init; } = TimeSpan.FromSeconds(60);

    public NotificationTemplates Templates { get; init; } = new();
}
