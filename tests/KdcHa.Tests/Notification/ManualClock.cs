using System;
using KdcHa.Notification;

namespace KdcHa.Tests.Notification;

internal sealed class ManualClock : INotificationClock
{
    public DateTime UtcNow { get; set; } = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public void Advance(TimeSpan by) => UtcNow += by;
}
