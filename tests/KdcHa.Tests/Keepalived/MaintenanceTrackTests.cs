using KdcHa.Keepalived;

namespace KdcHa.Tests.Keepalived;

public class MaintenanceTrackTests
{
    private static KeepalivedConfig Config(string trackBody, string reference = "kdcha_maint_VI_1") =>
        KeepalivedConfigReader.Parse(
            $"track_file kdcha_maint_VI_1 {{\n{trackBody}\n}}\n" +
            $"vrrp_instance VI_1 {{\ninterface eth0\nvirtual_router_id 51\nvirtual_ipaddress {{\n10.0.0.100/24\n}}\ntrack_file {{\n{reference}\n}}\n}}\n",
            "/etc/keepalived/keepalived.conf");

    [Fact]
    public void ANegativeWeightIsAStandbyDemotion()
    {
        var track = MaintenanceTrack.Resolve(Config("file /m/VI_1\nweight -253\ninit_file"), "VI_1");

        Assert.Equal(DemotionMode.Standby, track.Mode);
        Assert.Equal("/m/VI_1", track.FilePath);
        Assert.Equal(-253, track.Weight);
    }

    [Fact]
    public void WeightZeroIsAFaultDemotion()
    {
        Assert.Equal(DemotionMode.Fault, MaintenanceTrack.Resolve(Config("file /m/VI_1\nweight 0"), "VI_1").Mode);
    }

    [Fact]
    public void TheInstanceMayOverrideTheWeight()
    {
        var track = MaintenanceTrack.Resolve(Config("file /m/VI_1\nweight 0", "kdcha_maint_VI_1 weight -100"), "VI_1");

        Assert.Equal(-100, track.Weight);
        Assert.Equal(DemotionMode.Standby, track.Mode);
    }

    [Fact]
    public void AnUntrackedFileIsRefusedWithTheSnippetToAdd()
    {
        var error = Assert.Throws<MaintenanceTrackException>(() => MaintenanceTrack.Resolve(Config("file /m/VI_1", "something_else"), "VI_1"));

        Assert.Contains("does not track the KdcHa maintenance file kdcha_maint_VI_1", error.Message);
        Assert.Contains("file /var/lib/kdcha/maintenance/VI_1", error.Message);
        Assert.Contains("weight -253", error.Message);
    }

    [Theory]
    [InlineData("file /m/VI_1\nweight 1")]
    [InlineData("file /m/VI_1")]
    [InlineData("file /m/VI_1\nweight -254")]
    [InlineData("file /m/VI_1\nweight -10 reverse")]
    public void AWeightThatCannotDemoteIsRefused(string body)
    {
        var error = Assert.Throws<MaintenanceTrackException>(() => MaintenanceTrack.Resolve(Config(body), "VI_1"));
        Assert.Contains("weight", error.Message);
    }

    [Fact]
    public void InitFileOverwriteIsRefusedBecauseARestartWouldEndTheMaintenance()
    {
        var error = Assert.Throws<MaintenanceTrackException>(() => MaintenanceTrack.Resolve(Config("file /m/VI_1\nweight 0\ninit_file 0 overwrite"), "VI_1"));
        Assert.Contains("overwrite", error.Message);
    }

    [Fact]
    public void AnUnknownInstanceIsReportedAsSuch()
    {
        Assert.Throws<VrrpInstanceNotFoundException>(() => MaintenanceTrack.Resolve(Config("file /m/VI_1\nweight 0"), "VI_9"));
    }

    [Fact]
    public void TheOnlyInstanceIsTakenWhenNoneIsNamed()
    {
        var track = MaintenanceTrack.Resolve(Config("file /m/VI_1\nweight -253\ninit_file"), instanceName: null);

        Assert.Equal("VI_1", track.Instance.Name);
        Assert.Equal("kdcha_maint_VI_1", track.TrackFileName);
    }

    [Fact]
    public void SeveralInstancesNeedANameAndTheErrorListsThem()
    {
        var config = KeepalivedConfigReader.Parse(
            "vrrp_instance VI_1 {\ninterface lo\nvirtual_router_id 51\n}\nvrrp_instance VI_2 {\ninterface lo\nvirtual_router_id 52\n}\n",
            "/etc/keepalived/keepalived.conf");

        var error = Assert.Throws<VrrpInstanceRequiredException>(() => MaintenanceTrack.Resolve(config, instanceName: null));
        Assert.Contains("2 vrrp_instances (VI_1, VI_2)", error.Message);
        Assert.Equal("/etc/keepalived/keepalived.conf", error.ConfigPath);
    }

    [Fact]
    public void AConfigurationWithoutInstancesHasNoneToTake()
    {
        var config = KeepalivedConfigReader.Parse("global_defs {\nrouter_id kdc1\n}\n", "/etc/keepalived/keepalived.conf");

        var error = Assert.Throws<VrrpInstanceRequiredException>(() => MaintenanceTrack.Resolve(config, instanceName: null));
        Assert.Contains("defines no vrrp_instance", error.Message);
    }
}
