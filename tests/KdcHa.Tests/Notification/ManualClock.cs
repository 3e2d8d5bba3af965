using System;
using Microsoft.Extensions.Time.Testing;

namespace KdcHa.Tests.Notification;

/// <summary>Time that moves only when a test says so; timers and delays made on it fire as it passes them.</summary>
internal sealed class ManualClock : FakeTimeProvider
{
    public ManualClock()
        : base(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public DateTime UtcNow => GetUtcNow().UtcDateTime;
}
