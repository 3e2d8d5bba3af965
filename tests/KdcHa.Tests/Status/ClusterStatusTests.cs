using System;
using System.Linq;
using KdcHa.Monitor;
using KdcHa.Status;
using KdcHa.Vrrp;
using static KdcHa.Tests.Status.StatusDocumentTests;

namespace KdcHa.Tests.Status;

public class ClusterStatusTests
{
    [Fact]
    public void APairWithOneMasterAndEveryKdcUpIsHealthyAndServedByTheMaster()
    {
        var cluster = Cluster(
            Node(Running("kdc1", Master("VI_1", 200), Up("10.0.0.1", true), Up("10.0.0.2", false))),
            Node(Running("kdc2", Instance("VI_1", VrrpState.Backup, 100), Up("10.0.0.2", true), Up("10.0.0.1", false))));

        Assert.True(cluster.Healthy, string.Join("\n", cluster.Problems));
        Assert.Empty(cluster.Problems);
        Assert.Equal("kdc1", cluster.Serving);
        Assert.Equal("VI_1: kdc1", Assert.Single(cluster.Vips).ToString());
        Assert.False(cluster.SplitBrain);
        Assert.Equal(2, cluster.NodesReachable);
    }

    [Fact]
    public void AHungKdcShowsTheFaultTheDownViewsAndTheFailoverWithItsReason()
    {
        var moved = Updated.AddSeconds(-9);
        var kdc1 = Running("kdc1", Instance("VI_1", VrrpState.Fault, 200, moved), Down("10.0.0.1", true), Up("10.0.0.2", false));
        kdc1.Fault = true;
        kdc1.FaultSince = moved;
        kdc1.Reason = "the local KDC 10.0.0.1 is down and a peer's is up";
        var cluster = Cluster(Node(kdc1), Node(Running("kdc2", Master("VI_1", 100, moved.AddMilliseconds(400)), Up("10.0.0.2", true), Down("10.0.0.1", false))));

        Assert.False(cluster.Healthy);
        Assert.Equal("kdc2", cluster.Serving);
        Assert.Equal(new[]
        {
            "kdc1: the monitor holds VRRP in FAULT since 2030-01-01 11:59:51Z: the local KDC 10.0.0.1 is down and a peer's is up",
            "kdc1: KDC 10.0.0.1 is down since 2030-01-01 11:59:50Z (Timeout: No answer within 100 ms.)",
            "kdc2: KDC 10.0.0.1 is down since 2030-01-01 11:59:50Z (Timeout: No answer within 100 ms.)",
        }, cluster.Problems);
        Assert.Equal(new FailoverRecord(moved.AddMilliseconds(400), "kdc2", "VI_1", "kdc1 handed it over: the local KDC 10.0.0.1 is down and a peer's is up"), cluster.LastFailover);
    }

    [Fact]
    public void AStaleMonitorStillSayingMasterHoldsNothingAndIsAProblem()
    {
        // A killed monitor's document keeps the MASTER it last saw; the live peer that took over is the one serving.
        var stale = Node(Running("kdc1", Master("VI_1", 200, Updated.AddMinutes(-30)), Up("10.0.0.1", true)), isStale: true);
        var cluster = Cluster(stale, Node(Running("kdc2", Master("VI_1", 100, Updated.AddSeconds(-2)), Up("10.0.0.2", true), Up("10.0.0.1", false))));

        Assert.Equal("Stale", stale.Monitor);
        Assert.False(stale.MonitorAlive);
        Assert.Equal("kdc2", cluster.Serving);
        Assert.False(cluster.SplitBrain);
        Assert.Equal("kdc1: the monitor has not updated its status since 2030-01-01 12:00:00Z: it stalled or died", Assert.Single(cluster.Problems));
        Assert.Equal("kdc1's monitor is stale", cluster.LastFailover!.Reason);
    }

    [Fact]
    public void AStoppedMonitorIsAProblemWithItsReason()
    {
        var stopped = Running("kdc1", Instance("VI_1", VrrpState.Backup, 200));
        stopped.RunState = MonitorRunState.Stopped;
        stopped.Reason = "SIGTERM";

        var cluster = Cluster(Node(stopped), Node(Running("kdc2", Master("VI_1", 100))));

        Assert.Equal("kdc1: the monitor is stopped (SIGTERM)", Assert.Single(cluster.Problems));
        Assert.Equal("kdc2", cluster.Serving);
    }

    [Fact]
    public void AnUnreachableNodeIsARowWithItsReasonAndTheRestStillShows()
    {
        var cluster = Cluster(NodeStatus.Unreachable("kdc1", "http://127.0.0.1:1/status", "Connection refused"), Node(Running("kdc2", Master("VI_1", 100), Up("10.0.0.2", true))));

        Assert.False(cluster.Healthy);
        Assert.Equal("kdc2", cluster.Serving);
        Assert.Equal("Unreachable", cluster.Nodes[0].Reachability);
        Assert.Equal("kdc1: unreachable: Connection refused", Assert.Single(cluster.Problems));
        Assert.Equal(1, cluster.NodesReachable);
        Assert.Equal("kdc1: Unreachable: Connection refused", cluster.Nodes[0].ToString());
    }

    [Fact]
    public void TwoMastersOfOneInstanceAreASplitBrainAndBothServe()
    {
        var kdc1 = Running("kdc1", Master("VI_1", 200), Up("10.0.0.1", true));
        kdc1.SplitBrains.Add(new SplitBrainStatus { VirtualRouterId = 51, Masters = { "10.0.0.1", "10.0.0.2" }, Since = Updated.AddSeconds(-3) });
        var cluster = Cluster(Node(kdc1), Node(Running("kdc2", Master("VI_1", 100), Up("10.0.0.2", true))));

        Assert.True(cluster.SplitBrain);
        Assert.Equal("kdc1, kdc2", cluster.Serving);
        Assert.Contains("kdc1: split brain on virtual router 51 since 2030-01-01 11:59:57Z: masters 10.0.0.1, 10.0.0.2", cluster.Problems);
        Assert.Contains("VIP VI_1: held by kdc1 and kdc2 at once (split brain)", cluster.Problems);
    }

    [Fact]
    public void ANodeInMaintenanceIsNotHealthyAndExplainsTheMove()
    {
        var cluster = Cluster(
            Node(Running("kdc1", Instance("VI_1", VrrpState.Backup, 200), Up("10.0.0.1", true)), maintenance: new[] { "VI_1" }),
            Node(Running("kdc2", Master("VI_1", 100, Updated.AddSeconds(-5)), Up("10.0.0.2", true))));

        Assert.False(cluster.Healthy);
        Assert.Equal("kdc2", cluster.Serving);
        Assert.Equal("kdc1: in maintenance (VI_1) until Move-KdcVip -Restore: no standby for the VIP", Assert.Single(cluster.Problems));
        Assert.Equal("kdc1 is in maintenance", cluster.LastFailover!.Reason);
    }

    [Fact]
    public void NoHolderNoVrrpAndNoNodeAreEachAProblem()
    {
        var noHolder = Cluster(Node(Running("kdc1", Instance("VI_1", VrrpState.Backup, 200))), Node(Running("kdc2", Instance("VI_1", VrrpState.Backup, 100))));
        var noVrrp = Cluster(Node(Running("kdc1", Up("10.0.0.1", true))));
        var none = Cluster();

        Assert.Equal("VIP VI_1: no node with an alive monitor holds it", Assert.Single(noHolder.Problems));
        Assert.Equal(string.Empty, noHolder.Serving);
        Assert.Null(noHolder.LastFailover);
        Assert.StartsWith("no monitor reports a VRRP instance", Assert.Single(noVrrp.Problems), StringComparison.Ordinal);
        Assert.False(none.Healthy);
        Assert.Equal("no node to read", Assert.Single(none.Problems));
    }

    [Fact]
    public void AKdcWithoutAVerdictAndKeepalivedsOwnFaultAreProblems()
    {
        var kdc1 = Running("kdc1", Instance("VI_1", VrrpState.Fault, 200), new KdcStatus { Kdc = "10.0.0.1", IsLocal = true, Health = KdcHealthState.Unknown });

        var cluster = Cluster(Node(kdc1), Node(Running("kdc2", Master("VI_1", 100))));

        Assert.Equal(new[] { "kdc1: KDC 10.0.0.1 has no verdict yet", "kdc1: VRRP VI_1 is Fault since 2030-01-01 11:30:00Z" }, cluster.Problems);
    }

    [Fact]
    public void AnHaproxyNodesFrontendsShowAndADownOneIsAProblem()
    {
        var kdc1 = Running("kdc1", Master("VI_1", 200), Up("10.0.0.1", true));
        kdc1.Frontends = new() { Down("frontend 10.0.0.1:88", true), Up("frontend 10.0.0.2:88", false) };
        var plain = Running("kdc2", Instance("VI_1", VrrpState.Backup, 100), Up("10.0.0.2", true));

        var cluster = Cluster(Node(kdc1), Node(plain));

        Assert.Equal(new[] { "frontend 10.0.0.1:88", "frontend 10.0.0.2:88" }, cluster.Nodes[0].Frontends.Select(f => f.Kdc));
        Assert.Empty(cluster.Nodes[1].Frontends);
        Assert.Equal("kdc1: HAProxy frontend 10.0.0.1:88 is down since 2030-01-01 11:59:50Z (Timeout: No answer within 100 ms.)", Assert.Single(cluster.Problems));
        Assert.EndsWith("KDCs 10.0.0.1 Up 0.8 ms  HAProxy frontend 10.0.0.1:88 Down (Timeout); frontend 10.0.0.2:88 Up 0.8 ms", cluster.Nodes[0].ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("HAProxy", cluster.Nodes[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SyncGroupsHoldNoVip()
    {
        var kdc1 = Running("kdc1", Master("VI_1", 200));
        kdc1.Vrrp.Add(new VrrpInstanceStatus { Kind = "GROUP", Instance = "G1", InstanceState = VrrpState.Master, StateSince = Updated });

        var cluster = Cluster(Node(kdc1));

        Assert.Equal("VI_1", Assert.Single(cluster.Vips).Instance);
        Assert.Equal(new[] { "VI_1" }, cluster.Nodes[0].VipsHeld);
        Assert.Equal("VI_1", cluster.LastFailover!.Instance);
    }

    private static NodeStatus Node(MonitorStatus status, bool isStale = false, string[]? maintenance = null) =>
        NodeStatus.Read(status, $"/run/{status.Node}/status.json", isStale, maintenance);

    private static ClusterStatus Cluster(params NodeStatus[] nodes) => new(nodes, Updated);
}
