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
}
