using System;
using System.IO;
using KdcHa.Keepalived;

namespace KdcHa.Tests.Keepalived;

public class TrackFilesTests
{
    [Fact]
    public void The_fault_flag_round_trips_and_leaves_no_temporary_file()
    {
        using var directory = new TempDirectory();
        var files = new TrackFiles(directory.File("fault"), directory.File("heartbeat"));

        Assert.False(files.ReadFault());
        files.WriteFault(true);
        Assert.True(files.ReadFault());
        Assert.Equal("1\n", File.ReadAllText(directory.File("fault")));
        files.WriteFault(false);
        Assert.False(files.ReadFault());
        Assert.Single(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void The_heartbeat_is_created_refreshed_and_withdrawn()
    {
        using var directory = new TempDirectory();
        var files = new TrackFiles(directory.File("fault"), directory.File("heartbeat"));

        files.Heartbeat();
        File.SetLastWriteTimeUtc(directory.File("heartbeat"), DateTime.UtcNow.AddMinutes(-5));
        files.Heartbeat();
        Assert.True(DateTime.UtcNow - File.GetLastWriteTimeUtc(directory.File("heartbeat")) < TimeSpan.FromMinutes(1));
        files.StopHeartbeat();
        Assert.False(File.Exists(directory.File("heartbeat")));
    }
}
