using KdcHa.Kerberos.Health;
using KdcHa.Monitor;

namespace KdcHa.Tests.Monitor;

public class FailoverPolicyTests
{
    [Theory]
    [InlineData(KdcHealthState.Down, KdcHealthState.Up, true, false)]
    [InlineData(KdcHealthState.Down, KdcHealthState.Down, false, true)]
    [InlineData(KdcHealthState.Down, KdcHealthState.Unknown, false, false)]
    [InlineData(KdcHealthState.Up, KdcHealthState.Down, false, false)]
    [InlineData(KdcHealthState.Unknown, KdcHealthState.Up, false, false)]
    public void Faults_only_when_the_local_kdc_is_down_and_a_peer_is_up(KdcHealthState local, KdcHealthState peer, bool fault, bool allDown)
    {
        var decision = FailoverPolicy.Decide(local, new[] { peer }, faulted: false);

        Assert.Equal(fault, decision.Fault);
        Assert.Equal(allDown, decision.AllKdcsDown);
    }

    [Fact]
    public void One_healthy_peer_among_several_is_enough_to_hand_over()
    {
        var decision = FailoverPolicy.Decide(KdcHealthState.Down, new[] { KdcHealthState.Down, KdcHealthState.Up }, faulted: false);

        Assert.True(decision.Fault);
    }

    [Theory]
    [InlineData(KdcHealthState.Down, KdcHealthState.Down, true, true)]
    [InlineData(KdcHealthState.Down, KdcHealthState.Unknown, true, false)]
    [InlineData(KdcHealthState.Up, KdcHealthState.Down, false, false)]
    public void A_faulted_node_stays_faulted_until_its_own_kdc_recovers(KdcHealthState local, KdcHealthState peer, bool fault, bool allDown)
    {
        var decision = FailoverPolicy.Decide(local, new[] { peer }, faulted: true);

        Assert.Equal(fault, decision.Fault);
        Assert.Equal(allDown, decision.AllKdcsDown);
    }

    [Theory]
    [InlineData(KdcHealthStatus.DatabaseUnavailable, "most likely the directory (LDAP) or database they all use")]
    [InlineData(KdcHealthStatus.Timeout, "likely the directory or database they all wait on")]
    [InlineData(KdcHealthStatus.KeyMismatch, "the probe's credentials changed")]
    [InlineData(KdcHealthStatus.ClockSkew, "this node's clock is wrong")]
    [InlineData(KdcHealthStatus.Refused, "Every KDC fails the same way (Refused)")]
    public void EveryKdcFailingAlikeNamesWhatTheyShare(KdcHealthStatus status, string expected)
    {
        Assert.Contains(expected, SharedFailure.Describe(new[] { status, status, status }));
    }

    [Fact]
    public void KdcsFailingDifferentlyNameNoSharedCauseAndARecoveringKdcIsLeftOut()
    {
        Assert.Equal("The KDCs fail differently (Timeout, Refused): no single shared cause is evident.",
            SharedFailure.Describe(new[] { KdcHealthStatus.Timeout, KdcHealthStatus.Refused, KdcHealthStatus.Healthy }));
        Assert.Contains("DatabaseUnavailable", SharedFailure.Describe(new[] { KdcHealthStatus.DatabaseUnavailable, KdcHealthStatus.Healthy }));
        Assert.Equal(string.Empty, SharedFailure.Describe(new[] { KdcHealthStatus.Healthy }));
    }
}
