using System.Linq;
using KdcHa.Configuration;
using KdcHa.Keepalived;

namespace KdcHa.Tests.Keepalived;

public class KeepalivedConfigWriterTests
{
    private static KeepalivedNodeSettings Valid() => new()
    {
        RouterId = "kdc1",
        Interface = "eth0",
        VirtualAddress = new[] { "10.0.0.100" },
        Priority = 200,
        StateDirectory = "/run/kdcha",
        NotifyFifo = "/run/kdcha/notify.fifo",
    };

    [Fact]
    public void Writes_a_weight_zero_fault_file_and_a_weighted_heartbeat_check()
    {
        var text = KeepalivedConfigWriter.Write(Valid());

        Assert.Contains("file \"/run/kdcha/fault\"\n    weight 0", text);
        Assert.Contains("/run/kdcha/heartbeat 1\"", text);
        Assert.Contains("weight -150", text);
        Assert.Contains("vrrp_version 3", text);
        Assert.Contains("advert_int 0.1\n", text);
        Assert.Contains("10.0.0.100/32 dev eth0", text);
        Assert.Contains("notify_fifo /run/kdcha/notify.fifo", text);
        Assert.DoesNotContain("nopreempt", text);
        Assert.DoesNotContain("unicast_peer", text);
    }

    [Fact]
    public void Writes_the_maintenance_track_that_Move_KdcVip_demotes_through()
    {
        var settings = Valid();
        var config = KeepalivedConfigReader.Parse(KeepalivedConfigWriter.Write(settings), "/etc/keepalived/keepalived.conf");

        var track = MaintenanceTrack.Resolve(config, settings.InstanceName);

        Assert.Equal($"/run/kdcha/maintenance-{settings.InstanceName}", track.FilePath);
        Assert.Equal(DemotionMode.Standby, track.Mode);
        Assert.Equal(MaintenanceTrack.DeepestStandbyWeight, track.Weight);
    }

    [Fact]
    public void MoveKdcVipFindsTheGeneratedInstanceWithoutBeingToldItsName()
    {
        var config = KeepalivedConfigReader.Parse(KeepalivedConfigWriter.Write(Valid()), "/etc/keepalived/keepalived.conf");

        Assert.Equal("KDC_VIP", MaintenanceTrack.Resolve(config, instanceName: null).Instance.Name);
    }

    [Fact]
    public void Writes_unicast_nopreempt_and_a_vrrpv2_password_when_asked()
    {
        var settings = Valid();
        settings.UnicastPeer = new[] { "10.0.0.12" };
        settings.UnicastSourceAddress = "10.0.0.11";
        settings.NoPreempt = true;
        settings.VrrpVersion = 2;
        settings.AdvertIntervalSeconds = 1;
        settings.AuthenticationPassword = "s3cret";

        var text = KeepalivedConfigWriter.Write(settings);

        Assert.Contains("unicast_src_ip 10.0.0.11", text);
        Assert.Contains("unicast_peer {\n        10.0.0.12\n    }", text);
        Assert.Contains("nopreempt", text);
        Assert.Contains("auth_pass s3cret", text);
    }

    [Theory]
    [InlineData(3, 0.1, null, 8)]
    [InlineData(3, 0.05, null, 16)]
    [InlineData(3, 0.25, null, 3)]
    [InlineData(2, 1, null, 3)]
    [InlineData(3, 0.1, 3, 3)]
    [InlineData(3, 0.1, 20, 20)]
    public void WaitsAboutEightTenthsOfASecondOfMissedAdvertsUnlessTold(int version, double advert, int? downTimerAdverts, int written)
    {
        var settings = Valid();
        settings.VrrpVersion = version;
        settings.AdvertIntervalSeconds = (decimal)advert;
        settings.DownTimerAdverts = downTimerAdverts;

        Assert.Contains($"    down_timer_adverts {written}\n", KeepalivedConfigWriter.Write(settings));
    }

    public static TheoryData<string, System.Action<KeepalivedNodeSettings>> Invalid => new()
    {
        { "VirtualRouterId", s => s.VirtualRouterId = 0 },
        { "VirtualRouterId", s => s.VirtualRouterId = 256 },
        { "Priority", s => s.Priority = 255 },
        { "Priority", s => s.Priority = 0 },
        { "Interface", s => s.Interface = "eth0 up" },
        { "Interface", s => s.Interface = "a-very-long-interface" },
        { "VirtualAddress", s => s.VirtualAddress = new[] { "10.0.0.300" } },
        { "VirtualAddress", s => s.VirtualAddress = new[] { "10.0.0.1/33" } },
        { "VirtualAddress", s => s.VirtualAddress = new[] { "10.0.0.1", "fd00::1" } },
        { "UnicastPeer", s => s.UnicastPeer = new[] { "kdc2" } },
        { "AdvertIntervalSeconds", s => s.AdvertIntervalSeconds = 0.005m },
        { "AuthenticationPassword", s => s.AuthenticationPassword = "x" },
        { "DownTimerAdverts", s => s.DownTimerAdverts = 0 },
        { "DownTimerAdverts", s => s.DownTimerAdverts = 101 },
        { "MonitorWeight", s => s.MonitorWeight = 254 },
        { "StateDirectory", s => s.StateDirectory = "run/kdcha" },
        { "VirtualAddress", s => ActiveActive(s, 1, "10.0.0.101") },
        { "VirtualAddress", s => ActiveActive(s, 1, "10.0.0.101", "10.0.0.101/32") },
        { "ActiveActiveNode", s => ActiveActive(s, 3, "10.0.0.101", "10.0.0.102") },
        { "ActiveActiveNode", s => ActiveActive(s, 0, "10.0.0.101", "10.0.0.102") },
        { "VirtualRouterId", s => { ActiveActive(s, 1, "10.0.0.101", "10.0.0.102", "10.0.0.103"); s.VirtualRouterId = 254; } },
        { "PriorityStep", s => { ActiveActive(s, 1, "10.0.0.101", "10.0.0.102", "10.0.0.103"); s.Priority = 20; } },
        { "PriorityStep", s => { ActiveActive(s, 1, "10.0.0.101", "10.0.0.102"); s.PriorityStep = 0; } },
        { "MonitorWeight", s => { ActiveActive(s, 1, "10.0.0.101", "10.0.0.102", "10.0.0.103"); s.MonitorWeight = 20; } },
        { "InstanceName", s => { ActiveActive(s, 1, "10.0.0.101", "10.0.0.102"); s.InstanceName = new string('K', 63); } },
    };

    private static void ActiveActive(KeepalivedNodeSettings settings, int node, params string[] addresses)
    {
        settings.VirtualAddress = addresses;
        settings.ActiveActiveNode = node;
    }

    private static KeepalivedConfig ParseActiveActive(int node, params string[] addresses)
    {
        var settings = Valid();
        ActiveActive(settings, node, addresses);
        return KeepalivedConfigReader.Parse(KeepalivedConfigWriter.Write(settings), "/etc/keepalived/keepalived.conf");
    }

    [Fact]
    public void ActiveActiveWritesOneInstancePerAddressWithItsOwnVridAndAddress()
    {
        var config = ParseActiveActive(2, "10.0.0.101", "10.0.0.102", "10.0.0.103");

        Assert.Equal(new[] { "KDC_VIP_1", "KDC_VIP_2", "KDC_VIP_3" }, config.Instances.Select(i => i.Name));
        Assert.Equal(new[] { 51, 52, 53 }, config.Instances.Select(i => i.VirtualRouterId));
        Assert.Equal(new[] { "10.0.0.101", "10.0.0.102", "10.0.0.103" }, config.Instances.Select(i => i.VirtualAddresses.Single().ToString()));
    }

    [Theory]
    [InlineData(1, new[] { 200, 180, 190 })]
    [InlineData(2, new[] { 190, 200, 180 })]
    [InlineData(3, new[] { 180, 190, 200 })]
    public void ActiveActiveMakesEachNodePrimaryOfItsOwnInstanceAndRotatesTheBackups(int node, int[] priorities)
    {
        var config = ParseActiveActive(node, "10.0.0.101", "10.0.0.102", "10.0.0.103");

        Assert.Equal(priorities, config.Instances.Select(i => i.Priority));
    }

    [Fact]
    public void ActiveActiveInstancesShareTheFaultFileAndHeartbeatAndEachHasItsOwnMaintenanceTrack()
    {
        var config = ParseActiveActive(1, "10.0.0.101", "10.0.0.102");

        Assert.All(config.Instances, i => Assert.Contains(i.TrackFiles, t => t.Name == "kdcha_fault"));
        Assert.Equal(
            new[] { "/run/kdcha/maintenance-KDC_VIP_1", "/run/kdcha/maintenance-KDC_VIP_2" },
            config.Instances.Select(i => MaintenanceTrack.Resolve(config, i.Name).FilePath));
        Assert.Throws<VrrpInstanceRequiredException>(() => MaintenanceTrack.Resolve(config, instanceName: null));
    }

    [Fact]
    public void ActiveActiveWritesAKrb5ConfSnippetWithEveryVipStartingWithThisNodes()
    {
        var settings = Valid();
        ActiveActive(settings, 2, "10.0.0.101", "10.0.0.102/24", "fd00::103");

        var text = KeepalivedConfigWriter.Write(settings);

        Assert.Contains("#           kdc = 10.0.0.102\n#           kdc = [fd00::103]\n#           kdc = 10.0.0.101\n", text);
    }

    [Fact]
    public void TheSingleVipFormNamesNoNodeAndWritesNoSnippet()
    {
        var text = KeepalivedConfigWriter.Write(Valid());

        Assert.DoesNotContain("Active-active", text);
        Assert.DoesNotContain("kdc = ", text);
        Assert.Single(KeepalivedConfigReader.Parse(text, "/etc/keepalived/keepalived.conf").Instances);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Rejects_an_invalid_setting_by_name(string setting, System.Action<KeepalivedNodeSettings> spoil)
    {
        var settings = Valid();
        spoil(settings);

        var error = Assert.Throws<ConfigurationException>(() => KeepalivedConfigWriter.Write(settings));

        Assert.Equal(setting, error.Setting);
    }
}
