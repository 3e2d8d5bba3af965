using KdcHa.Kerberos.Health;
using KdcHa.Monitor;

namespace KdcHa.Tests.Monitor;

public class HealthHysteresisTests
{
    [Fact]
    public void A_timeout_needs_fall_confirmations_before_the_kdc_is_down()
    {
        var health = new HealthHysteresis(fall: 2, rise: 3, KdcHealthState.Up);

        Assert.False(health.Observe(KdcHealthStatus.Timeout));
        Assert.Equal(KdcHealthState.Up, health.State);
        Assert.True(health.AwaitingConfirmation);
        Assert.True(health.Observe(KdcHealthStatus.Timeout));
        Assert.Equal(KdcHealthState.Down, health.State);
        Assert.False(health.AwaitingConfirmation);
    }

    [Fact]
    public void A_refused_probe_is_definitive()
    {
        var health = new HealthHysteresis(fall: 5, rise: 3, KdcHealthState.Up);

        Assert.True(health.Observe(KdcHealthStatus.Refused));
        Assert.Equal(KdcHealthState.Down, health.State);
    }

    [Fact]
    public void One_good_probe_between_timeouts_resets_the_count()
    {
        var health = new HealthHysteresis(fall: 2, rise: 3, KdcHealthState.Up);

        health.Observe(KdcHealthStatus.Timeout);
        health.Observe(KdcHealthStatus.Healthy);
        health.Observe(KdcHealthStatus.Timeout);

        Assert.Equal(KdcHealthState.Up, health.State);
    }

    [Fact]
    public void A_down_kdc_is_readmitted_only_after_rise_good_probes_in_a_row()
    {
        var health = new HealthHysteresis(fall: 2, rise: 3, KdcHealthState.Down);

        health.Observe(KdcHealthStatus.Healthy);
        health.Observe(KdcHealthStatus.Healthy);
        health.Observe(KdcHealthStatus.Timeout);
        health.Observe(KdcHealthStatus.Healthy);
        health.Observe(KdcHealthStatus.Healthy);
        Assert.Equal(KdcHealthState.Down, health.State);
        Assert.True(health.Observe(KdcHealthStatus.Healthy));
        Assert.Equal(KdcHealthState.Up, health.State);
    }

    [Fact]
    public void The_first_good_probe_gives_an_unknown_kdc_its_verdict()
    {
        var health = new HealthHysteresis(fall: 2, rise: 3);

        Assert.True(health.Observe(KdcHealthStatus.Healthy));
        Assert.Equal(KdcHealthState.Up, health.State);
    }
}
