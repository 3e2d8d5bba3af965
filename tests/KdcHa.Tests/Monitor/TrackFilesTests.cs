using System;
using System.IO;
using KdcHa.Monitor;

namespace KdcHa.Tests.Monitor;

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

    [Fact]
    public void The_status_file_round_trips_and_a_stale_running_status_is_flagged()
    {
        using var directory = new TempDirectory();
        var file = new MonitorStatusFile(directory.File("status.json"));
        var updated = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        file.Write(new MonitorStatus { Node = "kdc1", State = MonitorRunState.Running, Updated = updated, IntervalMilliseconds = 200, Kdcs = { new KdcStatus { Kdc = "a", State = "Up" } } });

        var fresh = file.Read(updated.AddMilliseconds(300));
        var stale = file.Read(updated.AddSeconds(5));

        Assert.Equal("kdc1", fresh.Node);
        Assert.Equal("Up", Assert.Single(fresh.Kdcs).State);
        Assert.False(fresh.IsStale);
        Assert.True(stale.IsStale);
    }

    [Fact]
    public void A_missing_or_foreign_status_file_is_a_clear_error()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(directory.File("status.json"), "not json");

        var missing = Assert.Throws<KdcHa.Common.KdcHaException>(() => new MonitorStatusFile(directory.File("absent.json")).Read(DateTime.UtcNow));
        var foreign = Assert.Throws<KdcHa.Common.KdcHaException>(() => new MonitorStatusFile(directory.File("status.json")).Read(DateTime.UtcNow));

        Assert.IsType<FileNotFoundException>(missing.InnerException);
        Assert.Contains("not a KdcHa monitor status", foreign.Message);
    }
}
