using System;
using System.Linq;
using KdcHa.Kerberos.Health;
using KdcHa.Monitor;

using static KdcHa.Kerberos.Health.KdcHealthStatus;

namespace KdcHa.Tests.Monitor;

public class LocalKdcDeadlineTests
{
    private static readonly TimeSpan Minimum = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Maximum = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void ItIsTheMaximumUntilEightHealthyAnswersWereSeen()
    {
        var deadline = new LocalKdcDeadline(Minimum, Maximum);
        Observe(deadline, 7, Healthy, 1);
        Assert.Equal(Maximum, deadline.Current);

        Observe(deadline, 1, Healthy, 1);

        Assert.Equal(Minimum, deadline.Current);
    }

    [Fact]
    public void ItIsFourTimesTheSlowestRecentAnswerWithinItsBounds()
    {
        var deadline = new LocalKdcDeadline(Minimum, Maximum);
        Observe(deadline, 8, Healthy, 1);
        Observe(deadline, 1, Healthy, 7.6);
        Assert.Equal(TimeSpan.FromMilliseconds(31), deadline.Current);

        Observe(deadline, 1, Healthy, 30);

        Assert.Equal(Maximum, deadline.Current);
    }

    [Fact]
    public void FailuresDoNotCountAndASlowAnswerAgesOutAfterThirtyTwoMore()
    {
        var deadline = new LocalKdcDeadline(Minimum, Maximum);
        Observe(deadline, 8, Healthy, 1);
        Observe(deadline, 1, Healthy, 10);
        Observe(deadline, 50, Timeout, 100);
        Assert.Equal(TimeSpan.FromMilliseconds(40), deadline.Current);

        Observe(deadline, 31, Healthy, 1);
        Assert.Equal(TimeSpan.FromMilliseconds(40), deadline.Current);
        Observe(deadline, 1, Healthy, 1);

        Assert.Equal(Minimum, deadline.Current);
    }

    [Fact]
    public void AMinimumAboveTheMaximumIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalKdcDeadline(Maximum + TimeSpan.FromMilliseconds(1), Maximum));
    }

    [Fact]
    public void TheMonitorProbesItsLocalKdcWithTheAdaptedDeadlineAndItsPeerWithTheFullOne()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true));
        harness.Prober.Add("local", Enumerable.Repeat(Healthy, 16).ToArray());
        harness.Prober.Add("peer", Enumerable.Repeat(Healthy, 16).ToArray());

        harness.Run();

        // Eight answers of the KDC once it is up: the rounds before it is up (Unknown) do not count.
        var local = harness.Prober.Requests.Where(request => request.Endpoint.Host == "local").Select(request => request.Timeout).ToArray();
        Assert.All(local.Take(9), timeout => Assert.Equal(Maximum, timeout));
        Assert.Equal(Minimum, local[^1]);
        Assert.Equal(new[] { Maximum, Minimum }, local.Distinct());
        // The harness builds its requests with the probe's default deadline; only the local one is replaced.
        Assert.All(harness.Prober.Requests.Where(request => request.Endpoint.Host == "peer"), request => Assert.Equal(KdcProbeRequest.DefaultTimeout, request.Timeout));
    }

    [Theory]
    [InlineData(false, 500, 20)]
    [InlineData(true, 0, 20)]
    [InlineData(true, 500, 100)]
    public void TheDeadlineStaysFixedWithoutTheBusyCheckOrWithTheMinimumAtTheTimeout(bool watched, int busyTimeoutMilliseconds, int minimumTimeoutMilliseconds)
    {
        var harness = new MonitorHarness(localProcess: watched ? new FakeKdcProcess(running: true) : null, busyTimeoutMilliseconds: busyTimeoutMilliseconds,
            minimumTimeoutMilliseconds: minimumTimeoutMilliseconds);
        harness.Prober.Add("local", Enumerable.Repeat(Healthy, 12).ToArray());
        harness.Prober.Add("peer", Enumerable.Repeat(Healthy, 12).ToArray());

        harness.Run();

        Assert.All(harness.Prober.Requests, request => Assert.Equal(KdcProbeRequest.DefaultTimeout, request.Timeout));
    }

    private static void Observe(LocalKdcDeadline deadline, int count, KdcHealthStatus verdict, double roundTripMilliseconds)
    {
        for (var i = 0; i < count; i++)
        {
            deadline.Observe(new KdcHealthResult { Kdc = "local", Verdict = verdict, RoundTripMilliseconds = roundTripMilliseconds });
        }
    }
}
