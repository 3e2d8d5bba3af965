using System.Collections.Generic;
using System.IO;
using System.Linq;
using KdcHa.Kerberos.Health;
using KdcHa.Monitor;
using static KdcHa.Kerberos.Health.KdcHealthStatus;

namespace KdcHa.Tests.Monitor;

/// <summary>The agent-check answer the monitor's rounds give, without a socket (the responder has its own tests).</summary>
public class AgentCheckStatusStoreTests
{
    private readonly List<string?> _answers = new();
    private bool _maintenance;

    [Fact]
    public void AHealthyKdcIsUpUntilConfirmedDownAndAStopIsMaint()
    {
        var harness = Harness();
        harness.Prober.Add("local", Healthy, Healthy, Timeout, Timeout);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy, Healthy);

        harness.Run();

        Assert.Equal(new[] { "up ready 100%", "up ready 100%", "up ready 100%", "down #Timeout", "maint" }, _answers);
        Assert.Equal(5, harness.Status.Written.Count);
    }

    [Fact]
    public void AMaintenanceFlagDrainsAHealthyKdc()
    {
        _maintenance = true;
        var harness = Harness();
        harness.Prober.Add("local", Healthy);
        harness.Prober.Add("peer", Healthy);

        harness.Run();

        Assert.Equal(new[] { "drain", "maint" }, _answers);
    }

    [Fact]
    public void WhenEveryKdcIsDownTheAnswerDefersToHaproxysOwnCheck()
    {
        var harness = Harness();
        harness.Prober.Add("local", Refused);
        harness.Prober.Add("peer", Refused);

        harness.Run();

        Assert.Equal(new[] { "up ready", "maint" }, _answers);
    }

    [Fact]
    public void TheWeightFollowsTheSmoothedLatencyOfHealthyProbes()
    {
        var store = new AgentCheckStatusStore(new MemoryStatusStore(), answer => _answers.Add(answer?.Line), () => false, timeoutMilliseconds: 100);

        foreach (var roundTrip in new[] { 1.0, 100, 100, 100, 100, 100 })
        {
            store.Write(Status(KdcHealthState.Up, Healthy, roundTrip));
        }

        Assert.Equal(new[] { "up ready 100%", "up ready 80%", "up ready 60%", "up ready 40%", "up ready 30%", "up ready 30%" }, _answers);
    }

    [Theory]
    [InlineData(0.5, 100)]
    [InlineData(10, 100)]
    [InlineData(55, 60)]
    [InlineData(100, 10)]
    [InlineData(480, 10)]
    public void WeightIsFullUpToATenthOfTheDeadlineAndATenthAtIt(double roundTripMilliseconds, int weight)
    {
        Assert.Equal(weight, AgentCheckStatusStore.WeightPercent(roundTripMilliseconds, timeoutMilliseconds: 100));
    }

    [Fact]
    public void AMaintenanceFlagCountsOnlyWhenItHoldsANonZeroValue()
    {
        using var directory = new TempDirectory();
        Assert.False(AgentCheckStatusStore.MaintenanceSet(directory.File("missing")));

        File.WriteAllText(directory.File("maintenance-KDC_VIP"), "0\n");
        File.WriteAllText(directory.File("fault"), "1\n");
        Assert.False(AgentCheckStatusStore.MaintenanceSet(directory.Path));

        File.WriteAllText(directory.File("maintenance-KDC_VIP"), "1\n");
        Assert.True(AgentCheckStatusStore.MaintenanceSet(directory.Path));
    }

    private MonitorHarness Harness() =>
        new(statusStore: inner => new AgentCheckStatusStore(inner, answer => _answers.Add(answer?.Line), () => _maintenance, timeoutMilliseconds: 100));

    private static MonitorStatus Status(KdcHealthState health, KdcHealthStatus probe, double roundTripMilliseconds) => new()
    {
        RunState = MonitorRunState.Running,
        Kdcs = new List<KdcStatus>
        {
            new() { Kdc = "local", IsLocal = true, Health = health, LastProbeStatus = probe.ToString(), LastRoundTripMilliseconds = roundTripMilliseconds },
        },
    };
}
