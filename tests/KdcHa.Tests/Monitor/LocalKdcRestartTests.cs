using System;
using System.Linq;
using KdcHa.Monitor;

using static KdcHa.Kerberos.Health.KdcHealthStatus;

namespace KdcHa.Tests.Monitor;

public class LocalKdcRestartTests
{
    [Fact]
    public void ARefusedProbeWhileTheKdcProcessRunsGetsOneSecondLookAndARestartMovesNothing()
    {
        var process = new FakeKdcProcess(running: true);
        var harness = new MonitorHarness(localProcess: process);
        harness.Prober.Add("local", Healthy, Refused, Healthy, Healthy);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        Assert.DoesNotContain(true, harness.Tracking.Writes);
        Assert.DoesNotContain(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Contains(TimeSpan.FromMilliseconds(100), harness.Clock.Delays);
    }

    [Fact]
    public void ARefusedProbeWithNoKdcProcessFaultsAtOnceAndNamesTheExit()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: false));
        harness.Prober.Add("local", Healthy, Refused);
        harness.Prober.Add("peer", Healthy, Healthy);

        harness.Run();

        var down = Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Contains("exited", down.Cause);
        Assert.Contains("exited", down.Message);
        Assert.True(harness.Tracking.Writes.Last());
        Assert.DoesNotContain(TimeSpan.FromMilliseconds(100), harness.Clock.Delays);
    }

    [Fact]
    public void AKdcStillRefusingAfterTheSecondLookIsDown()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true));
        harness.Prober.Add("local", Healthy, Refused, Refused);
        harness.Prober.Add("peer", Healthy, Healthy);

        harness.Run();

        var down = Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Contains("probed again after 100 ms", down.Cause);
        Assert.True(harness.Tracking.Writes.Last());
    }

    [Fact]
    public void NoGraceMakesEveryRefusedProbeFinalAtOnce()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true), restartGraceMilliseconds: 0);
        harness.Prober.Add("local", Healthy, Refused);
        harness.Prober.Add("peer", Healthy, Healthy);

        harness.Run();

        Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.True(harness.Tracking.Writes.Last());
    }
}
