using System;
using KdcHa.Common;

namespace KdcHa.Notification;

/// <summary>
/// A channel did not accept a notification. Permanent failures (a 4xx reply, a bad signature, a missing program)
/// would fail again unchanged, so the dispatcher sets the notification aside instead of blocking the channel.
/// </summary>
public sealed class NotificationDeliveryException : KdcHaException
{
    public NotificationDeliveryException(string message, bool isPermanent)
        : base(message)
    {
        IsPermanent = isPermanent;
    }

    public NotificationDeliveryException(string message, bool isPermanent, Exception innerException)
        : base(message, innerException)
    {
        IsPermanent = isPermanent;
    }

    public bool IsPermanent { get; }

    /// <summary>The channel's own answer when it gave one (HTTP 503, an SMTP reply), for Test-KdcHaNotificationChannel.</summary>
    public string? Reply { get; init; }
}
