using System;
using System.Linq;
using KdcHa.Configuration;
using KdcHa.Kerberos.Health;
using KdcHa.Monitor;
using static KdcHa.Kerberos.Health.KdcHealthStatus;

namespace KdcHa.Tests.Monitor;

/// <summary>On an HAProxy node the monitor probes its own and its peers' frontends too, and faults the node when only its own fails.</summary>
public class HaproxyFrontendTests
{
    [Fact]
    public void A_failed_local_frontend_faults_the_node_while_a_peer_frontend_answers()
    {
        var harness = Harness(local: new[] { Healthy, Refused, Refused }, peer: new[] { Healthy, Healthy, Healthy });

        harness.Run();

        Assert.Equal(new[] { false, true }, harness.Tracking.Writes);
        var fault = Assert.Single(harness.Sink.Of<FaultChangedEvent>(), e => e.Fault);
        Assert.Contains("local HAProxy fe-local is down", fault.Reason, StringComparison.Ordinal);
        var change = Assert.Single(harness.Sink.Of<HealthChangedEvent>(), e => e.Kdc == "fe-local" && e.State == "Down");
        Assert.True(change.IsLocal);
        var status = harness.Status.Written.Last(s => s.RunState == MonitorRunState.Running);
        Assert.Equal(new[] { "fe-local Down", "fe-peer Up" }, status.Frontends!.Select(f => $"{f.Kdc} {f.State}"));
        Assert.DoesNotContain(status.Kdcs, kdc => kdc.Kdc.StartsWith("fe-", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hung_local_frontend_faults_the_node_after_an_immediate_confirmation()
    {
        var harness = Harness(local: new[] { Healthy, Timeout, Timeout }, peer: new[] { Healthy, Healthy, Healthy });

        harness.Run();

        Assert.Equal(new[] { false, true }, harness.Tracking.Writes);
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200) }, harness.Clock.Delays);
    }

    [Fact]
    public void Every_frontend_failing_at_once_keeps_the_vip()
    {
        // A failure the nodes share (every KDC behind both HAProxy nodes, or the probe's view) moves nothing.
        var harness = Harness(local: new[] { Healthy, Refused, Refused }, peer: new[] { Healthy, Refused, Refused });

        harness.Run();

        Assert.DoesNotContain(true, harness.Tracking.Writes);
    }

    [Fact]
    public void The_node_stays_faulted_until_its_frontend_rises_again_even_if_the_peer_frontend_fails()
    {
        var harness = Harness(local: new[] { Healthy, Refused, Refused, Healthy, Healthy, Healthy }, peer: new[] { Healthy, Healthy, Refused, Refused, Healthy, Healthy }, rise: 3);

        harness.Run();

        Assert.Equal(new[] { false, true, false }, harness.Tracking.Writes);
        Assert.Equal(KdcHealthState.Up, harness.Status.Written.Last(s => s.RunState == MonitorRunState.Running).Frontends![0].Health);
    }

    [Fact]
    public void Without_frontends_a_failed_frontend_path_is_not_probed()
    {
        var harness = new MonitorHarness();
        harness.Prober.Add("local", Healthy, Healthy);
        harness.Prober.Add("peer", Healthy, Healthy);

        harness.Run();

        Assert.DoesNotContain(harness.Prober.Requests, request => request.Endpoint.Host.StartsWith("fe-", StringComparison.Ordinal));
        Assert.Null(harness.Status.Written.Last().Frontends);
    }

    [Theory]
    [InlineData("127.0.0.1:1088", new string[0], "PeerFrontend")]
    [InlineData(null, new[] { "127.0.0.2:1088" }, "LocalFrontend")]
    [InlineData("two words", new[] { "127.0.0.2:1088" }, "LocalFrontend")]
    public void An_incomplete_frontend_pair_is_refused(string? local, string[] peers, string setting)
    {
        var configuration = new MonitorConfiguration { LocalKdc = "127.0.0.1", PeerKdc = new[] { "127.0.0.2" }, Realm = "KDCHA.TEST", LocalFrontend = local, PeerFrontend = peers };

        var error = Assert.Throws<ConfigurationException>(configuration.Validate);

        Assert.Equal(setting, error.Setting);
    }

    private static MonitorHarness Harness(KdcHealthStatus[] local, KdcHealthStatus[] peer, int rise = 3)
    {
        var harness = new MonitorHarness(rise: rise, frontends: true);
        harness.Prober.Add("local", Enumerable.Repeat(Healthy, local.Length).ToArray());
        harness.Prober.Add("peer", Enumerable.Repeat(Healthy, local.Length).ToArray());
        harness.Prober.Add("fe-local", local);
        harness.Prober.Add("fe-peer", peer);
        return harness;
    }
}
