using System.Linq;
using KdcHa.Kerberos.Health;
using KdcHa.Monitor;

using static KdcHa.Kerberos.Health.KdcHealthStatus;

namespace KdcHa.Tests.Monitor;

// The harness's rounds are 200 ms apart on the fake clock, so a 1,000 ms interval authenticates every fifth round.
public class AuthenticatedIntervalTests
{
    private static KdcProbeLevel[] LevelsSentTo(MonitorHarness harness, string kdc) =>
        harness.Prober.Requests.Where(request => request.Endpoint.Host == kdc).Select(request => request.Level).ToArray();

    [Fact]
    public void KeysAreProvenOncePerIntervalAndTheRoundsBetweenProbeAtReachable()
    {
        var harness = new MonitorHarness(level: KdcProbeLevel.Authenticated, authenticatedIntervalMilliseconds: 1000);
        harness.Prober.Add("local", Enumerable.Repeat(Healthy, 11).ToArray());
        harness.Prober.Add("peer", Enumerable.Repeat(Healthy, 11).ToArray());

        harness.Run();

        var authenticatedRounds = LevelsSentTo(harness, "local")
            .Select((level, round) => (level, round)).Where(probe => probe.level == KdcProbeLevel.Authenticated).Select(probe => probe.round);
        Assert.Equal(new[] { 0, 5, 10 }, authenticatedRounds);
        Assert.Equal(LevelsSentTo(harness, "local"), LevelsSentTo(harness, "peer"));
        var local = harness.Status.Written.Last(status => status.RunState == MonitorRunState.Running).Kdcs.Single(kdc => kdc.IsLocal);
        Assert.Equal(harness.Clock.UtcNow.AddMilliseconds(-200), local.LastAuthenticated);
    }

    [Fact]
    public void AFailedKeyCheckIsRepeatedAtAuthenticatedSoAKeyMismatchIsConfirmedAndFaults()
    {
        var harness = new MonitorHarness(level: KdcProbeLevel.Authenticated, authenticatedIntervalMilliseconds: 1000);
        harness.Prober.Add("local", Healthy, Healthy, Healthy, Healthy, Healthy, KeyMismatch, KeyMismatch);
        harness.Prober.Add("peer", Enumerable.Repeat(Healthy, 7).ToArray());

        harness.Run();

        Assert.Equal(KdcProbeLevel.Authenticated, LevelsSentTo(harness, "local")[6]);
        var down = Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Equal("local", down.Kdc);
        Assert.True(harness.Tracking.Writes.Last());
    }

    [Fact]
    public void AnIntervalOfZeroAuthenticatesEveryRound()
    {
        var harness = new MonitorHarness(level: KdcProbeLevel.Authenticated, authenticatedIntervalMilliseconds: 0);
        harness.Prober.Add("local", Healthy, Healthy, Healthy);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        Assert.All(harness.Prober.Requests, request => Assert.Equal(KdcProbeLevel.Authenticated, request.Level));
    }

    [Fact]
    public void AReachableMonitorNeverSendsAnAuthenticatedProbe()
    {
        var harness = new MonitorHarness(authenticatedIntervalMilliseconds: 1000);
        harness.Prober.Add("local", Enumerable.Repeat(Healthy, 6).ToArray());
        harness.Prober.Add("peer", Enumerable.Repeat(Healthy, 6).ToArray());

        harness.Run();

        Assert.All(harness.Prober.Requests, request => Assert.Equal(KdcProbeLevel.Reachable, request.Level));
    }
}
