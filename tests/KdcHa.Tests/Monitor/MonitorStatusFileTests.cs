using System;
using System.IO;
using KdcHa.Monitor;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Monitor;

public class MonitorStatusFileTests
{
    [Fact]
    public void The_status_file_round_trips_and_a_stale_running_status_is_flagged()
    {
        using var directory = new TempDirectory();
        var file = new MonitorStatusFile(directory.File("status.json"));
        var updated = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        file.Write(new MonitorStatus { Node = "kdc1", RunState = MonitorRunState.Running, Updated = updated, IntervalMilliseconds = 200, Kdcs = { new KdcStatus { Kdc = "a", Health = KdcHealthState.Up } } });

        var fresh = file.Read(updated.AddMilliseconds(300));
        var stale = file.Read(updated.AddSeconds(5));

        Assert.Equal("kdc1", fresh.Node);
        Assert.Equal("Up", Assert.Single(fresh.Kdcs).State);
        Assert.False(fresh.IsStale);
        Assert.True(stale.IsStale);
    }

    [Fact]
    public void TheStatusFileNamesEveryStateAsItAlwaysHas()
    {
        // Get-KdcHaMonitor, the lab and scripts read this JSON: enums are written by name, in the same shape as ever.
        using var directory = new TempDirectory();
        var file = new MonitorStatusFile(directory.File("status.json"));
        var started = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var updated = started.AddSeconds(1);
        file.Write(new MonitorStatus
        {
            Node = "kdc1", ProcessId = 42, RunState = MonitorRunState.Running, Started = started, Updated = updated, IntervalMilliseconds = 200,
            Fault = true, FaultSince = updated, Reason = "why", Rounds = 5,
            Kdcs =
            {
                new KdcStatus
                {
                    Kdc = "10.0.0.1", IsLocal = true, Health = KdcHealthState.Down, StateSince = updated, LastProbeStatus = "Timeout",
                    LastRoundTripMilliseconds = 100.5, LastProbe = updated, ConsecutiveFailures = 2, LastMessage = "no answer",
                },
            },
            Vrrp = { new VrrpInstanceStatus { Kind = "INSTANCE", Instance = "VI_1", InstanceState = VrrpState.Master, Priority = 200, StateSince = updated } },
            SplitBrains = { new SplitBrainStatus { VirtualRouterId = 51, Masters = { "10.0.0.1", "10.0.0.2" }, Since = started } },
        });

        Assert.Equal(ExpectedStatusJson, File.ReadAllText(file.Path));
        var read = file.Read(updated);
        Assert.Equal((MonitorRunState.Running, KdcHealthState.Down, VrrpState.Master), (read.RunState, read.Kdcs[0].Health, read.Vrrp[0].InstanceState));
        Assert.Equal(("Running", "Down", "Master"), (read.State, read.Kdcs[0].State, read.Vrrp[0].State));
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

    private const string ExpectedStatusJson = @"{
  ""Node"": ""kdc1"",
  ""ProcessId"": 42,
  ""State"": ""Running"",
  ""Started"": ""2030-01-01T00:00:00Z"",
  ""Updated"": ""2030-01-01T00:00:01Z"",
  ""IntervalMilliseconds"": 200,
  ""Fault"": true,
  ""FaultSince"": ""2030-01-01T00:00:01Z"",
  ""AllKdcsDown"": false,
  ""Reason"": ""why"",
  ""Rounds"": 5,
  ""Kdcs"": [
    {
      ""Kdc"": ""10.0.0.1"",
      ""IsLocal"": true,
      ""State"": ""Down"",
      ""StateSince"": ""2030-01-01T00:00:01Z"",
      ""LastProbeStatus"": ""Timeout"",
      ""LastRoundTripMilliseconds"": 100.5,
      ""LastProbe"": ""2030-01-01T00:00:01Z"",
      ""LastAuthenticated"": null,
      ""ConsecutiveFailures"": 2,
      ""LastMessage"": ""no answer""
    }
  ],
  ""Vrrp"": [
    {
      ""Kind"": ""INSTANCE"",
      ""Instance"": ""VI_1"",
      ""State"": ""Master"",
      ""Priority"": 200,
      ""StateSince"": ""2030-01-01T00:00:01Z""
    }
  ],
  ""SplitBrains"": [
    {
      ""VirtualRouterId"": 51,
      ""Masters"": [
        ""10.0.0.1"",
        ""10.0.0.2""
      ],
      ""Since"": ""2030-01-01T00:00:00Z""
    }
  ],
  ""IsStale"": false,
  ""Path"": """"
}";
}
