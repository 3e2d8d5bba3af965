using System;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Keepalived;
using KdcHa.Kerberos.Health;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

public class KeepalivedSwitchoverTests
{
    private static readonly MaintenanceTrack Track = MaintenanceTrack.Resolve(
        KeepalivedConfigReader.Parse(
            "track_file kdcha_maint_VI_1 {\nfile /m/VI_1\nweight -253\ninit_file\n}\n" +
            "vrrp_instance VI_1 {\ninterface eth0\nvirtual_router_id 51\npriority 90\nvirtual_ipaddress {\n10.0.0.100/24\n}\ntrack_file {\nkdcha_maint_VI_1\n}\n}\n",
            "k.conf"),
        "VI_1");

    private static SwitchoverRequest Request(TimeSpan? timeout = null, bool force = false, params System.Net.IPAddress[] to) =>
        new(Track) { Timeout = timeout ?? TimeSpan.FromSeconds(5), Force = force, To = to };

    [Fact]
    public async Task AMoveDemotesWaitsForThePeerAndTheVipAndLeavesTheNodeDemoted()
    {
        var keepalived = new SimulatedKeepalived { OnDemoted = SimulatedKeepalived.PeerTakesOver };
        var probe = new ScriptedVipProbe(KdcHealthStatus.Timeout, KdcHealthStatus.Healthy);
        var progress = new RecordingProgress();

        var result = await new KeepalivedSwitchover(keepalived, keepalived, keepalived, probe).MoveAsync(Request(), progress, CancellationToken.None);

        Assert.True(result.Verified);
        Assert.True(result.Demoted);
        Assert.False(result.HoldsVip);
        Assert.Equal("10.0.0.12", result.To);
        Assert.Equal("10.0.0.11", result.From);
        Assert.Equal(80, result.NewMasterPriority);
        Assert.Equal("Healthy", result.VipProbeStatus);
        Assert.Equal("Standby", result.Mode);
        Assert.Equal(new[] { "1" }, keepalived.Writes);
        Assert.Equal(2, probe.Calls);
        Assert.True(result.PeerMasterMilliseconds <= result.ReleasedMilliseconds);
        Assert.True(result.ReleasedMilliseconds <= result.DurationMilliseconds);
        Assert.Equal(result.DurationMilliseconds, (result.Completed - result.Started).TotalMilliseconds);
        Assert.Equal(
            new[] { SwitchoverStage.Demoting, SwitchoverStage.WaitingForPeer, SwitchoverStage.WaitingForRelease, SwitchoverStage.ProbingVip },
            progress.Stages.ToArray());
        Assert.True(keepalived.Listener!.Disposed);
    }

    [Fact]
    public async Task TheNodesOwnAdvertsAndPriorityZeroAdvertsDoNotCountAsANewMaster()
    {
        var keepalived = new SimulatedKeepalived
        {
            OnDemoted = k =>
            {
                k.Advertise(SimulatedKeepalived.Self, 1);
                k.Advertise(SimulatedKeepalived.Peer, 0);
            },
        };
        var switchover = new KeepalivedSwitchover(keepalived, keepalived, keepalived, new ScriptedVipProbe());

        var error = await Assert.ThrowsAsync<SwitchoverTimeoutException>(() => switchover.MoveAsync(Request(TimeSpan.FromMilliseconds(200)), new RecordingProgress(), CancellationToken.None));

        Assert.Equal(SwitchoverStage.WaitingForPeer, error.Stage);
        Assert.Contains("10.0.0.11 (1x, last priority 1)", error.Message);
        Assert.Contains("10.0.0.12 (1x, last priority 0)", error.Message);
    }

    [Fact]
    public async Task NoPeerRollsTheDemotionBackAndSaysSo()
    {
        var keepalived = new SimulatedKeepalived();
        var progress = new RecordingProgress();
        var switchover = new KeepalivedSwitchover(keepalived, keepalived, keepalived, new ScriptedVipProbe());

        var error = await Assert.ThrowsAsync<SwitchoverTimeoutException>(() => switchover.MoveAsync(Request(TimeSpan.FromMilliseconds(100)), progress, CancellationToken.None));

        Assert.True(error.RolledBack);
        Assert.Contains("No VRRP advertisement for virtual router 51 was heard on eth0", error.Message);
        Assert.Contains("rolled back", error.Message);
        Assert.Equal(new[] { "1", "0" }, keepalived.Writes);
        Assert.False(keepalived.IsSet);
        Assert.Contains(SwitchoverStage.RollingBack, progress.Stages);
    }

    [Fact]
    public async Task AVipThatNeverAnswersRollsBackAndReportsTheLastProbe()
    {
        // The peer takes over at once, inside the flag write: on a loaded machine a delayed takeover could eat the whole
        // timeout, and the move would time out waiting for the peer instead of probing.
        var keepalived = new SimulatedKeepalived
        {
            OnDemoted = k =>
            {
                k.Advertise(SimulatedKeepalived.Peer, 80);
                k.ReleaseVip();
            },
        };
        var switchover = new KeepalivedSwitchover(keepalived, keepalived, keepalived, new ScriptedVipProbe(KdcHealthStatus.Refused));

        var error = await Assert.ThrowsAsync<SwitchoverTimeoutException>(() => switchover.MoveAsync(Request(TimeSpan.FromMilliseconds(300)), new RecordingProgress(), CancellationToken.None));

        Assert.Equal(SwitchoverStage.ProbingVip, error.Stage);
        Assert.Contains("found Refused", error.Message);
        Assert.False(keepalived.IsSet);
    }

    [Fact]
    public async Task ForceKeepsTheNodeDemotedWhenNoPeerTakesOver()
    {
        var keepalived = new SimulatedKeepalived();
        var switchover = new KeepalivedSwitchover(keepalived, keepalived, keepalived, new ScriptedVipProbe());

        var result = await switchover.MoveAsync(Request(TimeSpan.FromMilliseconds(100), force: true), new RecordingProgress(), CancellationToken.None);

        Assert.False(result.Verified);
        Assert.True(result.Demoted);
        Assert.True(keepalived.IsSet);
        Assert.Contains("-Force", result.Message);
    }

    [Fact]
    public async Task OnlyTheRequestedPeerCompletesTheMove()
    {
        var other = System.Net.IPAddress.Parse("10.0.0.13");
        var keepalived = new SimulatedKeepalived { OnDemoted = k => k.Advertise(SimulatedKeepalived.Peer, 80) };
        var switchover = new KeepalivedSwitchover(keepalived, keepalived, keepalived, new ScriptedVipProbe());

        var error = await Assert.ThrowsAsync<SwitchoverTimeoutException>(() => switchover.MoveAsync(Request(TimeSpan.FromMilliseconds(150), false, other), new RecordingProgress(), CancellationToken.None));

        Assert.Contains("10.0.0.12 (1x, last priority 80)", error.Message);
        Assert.False(keepalived.IsSet);
    }

    [Fact]
    public async Task ANodeWithoutTheVipIsRefusedBeforeAnythingChanges()
    {
        var keepalived = new SimulatedKeepalived(holdsVip: false);
        var switchover = new KeepalivedSwitchover(keepalived, keepalived, keepalived, new ScriptedVipProbe());

        var error = await Assert.ThrowsAsync<NotVipHolderException>(() => switchover.MoveAsync(Request(), new RecordingProgress(), CancellationToken.None));

        Assert.Contains("does not hold 10.0.0.100", error.Message);
        Assert.Empty(keepalived.Writes);
    }

    [Fact]
    public async Task AnAlreadyDemotedNodeIsVerifiedAgainAndNeverRestoredByAFailedMove()
    {
        var keepalived = new SimulatedKeepalived(holdsVip: false) { IsSet = true };
        var switchover = new KeepalivedSwitchover(keepalived, keepalived, keepalived, new ScriptedVipProbe());

        var error = await Assert.ThrowsAsync<SwitchoverTimeoutException>(() => switchover.MoveAsync(Request(TimeSpan.FromMilliseconds(100)), new RecordingProgress(), CancellationToken.None));

        Assert.False(error.RolledBack);
        Assert.Contains("already demoted", error.Message);
        Assert.Empty(keepalived.Writes);
        Assert.True(keepalived.IsSet);
    }

    [Fact]
    public async Task CancellingMidwayRollsBack()
    {
        var keepalived = new SimulatedKeepalived();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var switchover = new KeepalivedSwitchover(keepalived, keepalived, keepalived, new ScriptedVipProbe());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => switchover.MoveAsync(Request(), new RecordingProgress(), cancel.Token));

        Assert.Equal(new[] { "1", "0" }, keepalived.Writes);
    }

    [Fact]
    public async Task RestoreClearsTheFlagAndWaitsForThisNodeToTakeTheVipBack()
    {
        var keepalived = new SimulatedKeepalived(holdsVip: false) { IsSet = true };
        keepalived.OnRestored = k => _ = Task.Delay(40).ContinueWith(_ => k.TakeVip(), TaskScheduler.Default);
        var switchover = new KeepalivedSwitchover(keepalived, keepalived, keepalived, new ScriptedVipProbe());

        var result = await switchover.RestoreAsync(Track, TimeSpan.FromSeconds(5), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(new[] { "0" }, keepalived.Writes);
        Assert.True(result.HoldsVip);
        Assert.False(result.Demoted);
        Assert.Equal("10.0.0.11", result.To);
        Assert.True(result.DurationMilliseconds >= 30);
    }

    [Fact]
    public async Task RestoreStopsWaitingWhenAPeerOfAtLeastThisPriorityKeepsTheVip()
    {
        var keepalived = new SimulatedKeepalived(holdsVip: false) { IsSet = true };
        keepalived.OnRestored = k => k.Advertise(SimulatedKeepalived.Peer, 90);
        var switchover = new KeepalivedSwitchover(keepalived, keepalived, keepalived, new ScriptedVipProbe());

        var result = await switchover.RestoreAsync(Track, TimeSpan.FromSeconds(5), new RecordingProgress(), CancellationToken.None);

        Assert.False(result.HoldsVip);
        Assert.Equal("10.0.0.12", result.To);
        Assert.Contains("back in service as a backup", result.Message);
    }
}
