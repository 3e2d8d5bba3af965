using System;

namespace KdcHa.Notification;

public sealed class SystemNotificationClock : INotificationClock
{
    public static SystemNotificationClock Instance { get; } = new();

    public DateTime UtcNow => DateTime.UtcNow;
}
