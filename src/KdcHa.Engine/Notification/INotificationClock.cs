using System;

namespace KdcHa.Notification;

/// <summary>Time as the throttle and the payload signatures see it; tests move it by hand.</summary>
public interface INotificationClock
{
    DateTime UtcNow { get; }
}
