using System.IO;
using KdcHa.Keepalived;

namespace KdcHa.Tests.Keepalived;

public class MaintenanceFlagFileTests
{
    [Fact]
    public void SetAndClearWriteTheNumbersKeepalivedReads()
    {
        using var directory = new TempDirectory();
        var flag = new MaintenanceFlagFile(directory.File("maintenance/VI_1"));

        Assert.False(flag.IsSet);
        flag.Set();
        Assert.Equal("1\n", File.ReadAllText(flag.Path));
        Assert.True(flag.IsSet);
        flag.Clear();
        Assert.Equal("0\n", File.ReadAllText(flag.Path));
        Assert.False(flag.IsSet);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData(" 00 \n", false)]
    [InlineData("1", true)]
    [InlineData("-5", true)]
    public void ReadsWhatKeepalivedInitialisedOrAnAdminWrote(string content, bool set)
    {
        using var directory = new TempDirectory();
        File.WriteAllText(directory.File("VI_1"), content);

        Assert.Equal(set, new MaintenanceFlagFile(directory.File("VI_1")).IsSet);
    }
}
