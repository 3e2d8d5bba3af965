using System;
using System.Linq;
using KdcHa.Notification;

namespace KdcHa.Tests.Notification;

public sealed class NotificationThrottleTests
{
    private readonly ManualClock _clock = new();
    private readonly NotificationThrottle _throttle = new(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), flapThreshold: 3);

    [Fact]
    public void AnIdenticalAlertWithinTheWindowIsADuplicateAndAlertsAgainAfterIt()
    {
        Assert.Equal(ThrottleDecision.Deliver, _throttle.Admit(Events.Custom("KDC down"), _clock.UtcNow));
        _clock.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(ThrottleDecision.Duplicate, _throttle.Admit(Events.Custom("KDC down"), _clock.UtcNow));
        Assert.Equal(ThrottleDecision.Deliver, _throttle.Admit(Events.Custom("KDC still down, new detail"), _clock.UtcNow));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ThrottleDecision.Deliver, _throttle.Admit(Events.Custom("KDC down"), _clock.UtcNow));
    }

    [Fact]
    public void TheSameEventIdTwiceIsADuplicate()
    {
        var notification = Events.Custom("once");

        Assert.Equal(ThrottleDecision.Deliver, _throttle.Admit(notification, _clock.UtcNow));
        Assert.Equal(ThrottleDecision.Duplicate, _throttle.Admit(notification with { Message = "changed text, same id" }, _clock.UtcNow));
    }

    [Fact]
    public void SevenChangesInAMinuteGiveThreeAlertsAndOneSummary()
    {
        var states = new[] { "BACKUP", "MASTER" };
        var decisions = Enumerable.Range(0, 7).Select(i =>
        {
            _clock.Advance(TimeSpan.FromSeconds(5));
            return _throttle.Admit(Events.StateChange(states[i % 2], states[(i + 1) % 2]), _clock.UtcNow);
        }).ToList();

        Assert.Equal(new[] { ThrottleDecision.Deliver, ThrottleDecision.Deliver, ThrottleDecision.Deliver }, decisions.Take(3));
        Assert.All(decisions.Skip(3), decision => Assert.Equal(ThrottleDecision.Flapping, decision));
        Assert.Empty(_throttle.TakeSummaries(_clock.UtcNow, all: false));

        _clock.Advance(TimeSpan.FromSeconds(60));
        var summary = Assert.Single(_throttle.TakeSummaries(_clock.UtcNow, all: false));
        Assert.Equal(NotificationKind.FlapSummary, summary.Kind);
        Assert.Equal("VI_1", summary.Instance);
        Assert.Equal("MASTER", summary.NewState);
        Assert.StartsWith("VI_1 changed state 7 times in 60 s on kdc1; it is now MASTER.", summary.Message);
        Assert.Equal("4", summary.Details["heldBack"]);
        Assert.Empty(_throttle.TakeSummaries(_clock.UtcNow, all: true));
    }

    [Fact]
    public void OtherInstancesAreNotHeldBackByOneThatFlaps()
    {
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            _throttle.Admit(Events.StateChange(i % 2 == 0 ? "BACKUP" : "MASTER", i % 2 == 0 ? "MASTER" : "BACKUP"), _clock.UtcNow);
        }

        Assert.Equal(ThrottleDecision.Deliver, _throttle.Admit(Events.StateChange(instance: "VI_2"), _clock.UtcNow));
    }

    [Fact]
    public void StoppingEarlyStillReportsWhatWasHeldBack()
    {
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            _throttle.Admit(Events.StateChange(i % 2 == 0 ? "BACKUP" : "MASTER", i % 2 == 0 ? "MASTER" : "BACKUP"), _clock.UtcNow);
        }

        var summary = Assert.Single(_throttle.TakeSummaries(_clock.UtcNow, all: true));
        Assert.Equal("2", summary.Details["heldBack"]);
    }
}
