using System;

namespace KdcHa.Notification;

/// <summary>
/// The content of a spool file: the channel by name and the event. Never a URL, key or password; those are
/// resolved from the channel's references when the notification is sent.
/// </summary>
public sealed class SpoolRecord
{
    public string Channel { get; set; } = string.Empty;

    public DateTime SpooledAt { get; set; }

    public NotificationEvent Event { get; set; } = new();
}
