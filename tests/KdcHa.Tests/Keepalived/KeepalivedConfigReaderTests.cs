using System.IO;
using System.Linq;
using System.Net;
using KdcHa.Keepalived;

namespace KdcHa.Tests.Keepalived;

public class KeepalivedConfigReaderTests
{
    private const string Sample = """
        ! Configuration File for keepalived
        global_defs {
            router_id kdc1   # trailing comment
            vrrp_version 3
        }

        track_file kdcha_maint_VI_1 {
            file "/var/lib/kdcha/maintenance/VI_1"
            weight -253
            init_file
        }

        vrrp_instance VI_1
        {
            state BACKUP
            interface eth0
            virtual_router_id 51
            priority 90
            advert_int 0.1
            virtual_ipaddress {
                198.18.0.100/32 dev eth0
                2001:db8::100/64
            }
            track_file {
                kdcha_maint_VI_1
                other_file weight -10 reverse
            }
        }

        vrrp_instance VI_2 { interface eth1 }
        """;

    [Fact]
    public void ReadsInstancesWithTheirAddressesAndTrackedFiles()
    {
        var config = KeepalivedConfigReader.Parse(Sample, "/etc/keepalived/keepalived.conf");

        var instance = config.GetInstance("VI_1");
        Assert.Equal("eth0", instance.Interface);
        Assert.Equal(51, instance.VirtualRouterId);
        Assert.Equal(90, instance.Priority);
        Assert.True(instance.Preempt);
        Assert.Equal(new[] { IPAddress.Parse("198.18.0.100"), IPAddress.Parse("2001:db8::100") }, instance.VirtualAddresses);
        Assert.Equal(new[] { "kdcha_maint_VI_1", "other_file" }, instance.TrackFiles.Select(track => track.Name));
        Assert.Null(instance.TrackFiles[0].Weight);
        Assert.Equal(-10, instance.TrackFiles[1].Weight);
        Assert.True(instance.TrackFiles[1].Reverse);
    }

    [Fact]
    public void ReadsTrackFileBlocksWithQuotedPaths()
    {
        var track = KeepalivedConfigReader.Parse(Sample, "k.conf").FindTrackFile("kdcha_maint_VI_1")!;

        Assert.Equal("/var/lib/kdcha/maintenance/VI_1", track.FilePath);
        Assert.Equal(-253, track.Weight);
        Assert.True(track.HasInitFile);
        Assert.False(track.InitFileOverwrites);
    }

    [Fact]
    public void NamesTheKnownInstancesWhenOneIsMissing()
    {
        var config = KeepalivedConfigReader.Parse(Sample, "k.conf");

        var error = Assert.Throws<VrrpInstanceNotFoundException>(() => config.GetInstance("vi_1"));
        Assert.Contains("VI_1, VI_2", error.Message);
        Assert.Equal("vi_1", error.Instance);
    }

    [Fact]
    public void FollowsWildcardIncludesRelativeToTheIncludingFile()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.File("conf.d"));
        File.WriteAllText(directory.File("conf.d/20-instance.conf"), "vrrp_instance KDC { interface eth0\nvirtual_router_id 7\nvirtual_ipaddress {\n10.0.0.1\n}\n}\n");
        File.WriteAllText(directory.File("conf.d/10-track.conf"), "track_file kdcha_maint_KDC {\nfile /x\nweight 0\n}\n");
        File.WriteAllText(directory.File("keepalived.conf"), "global_defs {\n}\ninclude conf.d/*.conf\n");

        var config = KeepalivedConfigReader.Read(directory.File("keepalived.conf"));

        Assert.Equal(7, config.GetInstance("KDC").VirtualRouterId);
        Assert.Equal(0, config.FindTrackFile("kdcha_maint_KDC")!.Weight);
    }

    [Fact]
    public void ReportsAnUnreadableFileAsAConfigError()
    {
        var error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedConfigReader.Read("/nonexistent/keepalived.conf"));
        Assert.Contains("/nonexistent/keepalived.conf", error.Message);
    }

    [Theory]
    [InlineData("vrrp_instance A {\n interface eth0\n")]
    [InlineData("vrrp_instance A {\n}\n}\n")]
    [InlineData("vrrp_instance A {\n priority high\n}\n")]
    public void RejectsMalformedConfigurations(string text)
    {
        Assert.Throws<KeepalivedConfigException>(() => KeepalivedConfigReader.Parse(text, "k.conf"));
    }
}
