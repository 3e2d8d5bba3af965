using System;
using System.IO;
using KdcHa.Keepalived;

namespace KdcHa.Tests.Keepalived;

public class KeepalivedProcessTests
{
    [Fact]
    public void AMissingPidFileMeansKeepalivedIsNotRunning()
    {
        using var directory = new TempDirectory();

        Assert.Contains("does not exist", KeepalivedProcess.NotRunningReason(directory.File("keepalived.pid")));
    }

    [Theory]
    [InlineData(true, "not keepalived")]
    [InlineData(false, "no longer runs")]
    public void APidFileNamingNoLiveKeepalivedMeansKeepalivedIsNotRunning(bool thisProcess, string reason)
    {
        using var directory = new TempDirectory();
        var pidFile = directory.File("keepalived.pid");
        File.WriteAllText(pidFile, (thisProcess ? Environment.ProcessId : int.MaxValue) + "\n");

        Assert.Contains(reason, KeepalivedProcess.NotRunningReason(pidFile));
    }
}
