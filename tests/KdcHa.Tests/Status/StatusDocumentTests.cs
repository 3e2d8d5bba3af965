using System;
using System.Linq;
using System.Text;
using KdcHa.Monitor;
using KdcHa.Status;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Status;

public class StatusDocumentTests
{
    internal static readonly DateTime Updated = new(2030, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void ParsesWhatTheMonitorWrites()
    {
        var status = StatusDocument.Parse(Serialize(Running("kdc1", Master("VI_1", 200), Up("10.0.0.1", true), Up("10.0.0.2", false))));

        Assert.Equal("kdc1", status.Node);
        Assert.Equal(MonitorRunState.Running, status.RunState);
        Assert.Equal(new[] { "10.0.0.1", "10.0.0.2" }, status.Kdcs.Select(kdc => kdc.Kdc));
        Assert.Equal(VrrpState.Master, Assert.Single(status.Vrrp).InstanceState);
        Assert.Equal(Updated, status.Updated);
    }

    [Fact]
    public void IgnoresFieldsALaterMonitorAdds()
    {
        var json = Encoding.UTF8.GetString(Serialize(Running("kdc1"))).Replace("\"Node\":", "\"AlertsPending\": {\"ops\": 3}, \"Node\":", StringComparison.Ordinal);

        Assert.Equal("kdc1", StatusDocument.Parse(Encoding.UTF8.GetBytes(json)).Node);
    }

    [Theory]
    [InlineData("[]", "not a KdcHa monitor status")]
    [InlineData("null", "holds null")]
    [InlineData("{", "not a KdcHa monitor status")]
    [InlineData("{\"Node\": \"kdc1\"}", "no Updated time")]
    [InlineData("{\"Updated\": \"2030-01-01T00:00:00Z\"}", "names no node")]
    [InlineData("{\"Node\": 42, \"Updated\": \"2030-01-01T00:00:00Z\"}", "not a KdcHa monitor status")]
    [InlineData("{\"Node\": \"kdc1\", \"Updated\": \"yesterday\"}", "not a KdcHa monitor status")]
    [InlineData("{\"Node\": \"kdc1\", \"Updated\": \"2030-01-01T00:00:00Z\", \"State\": 7}", "not a KdcHa monitor status")]
    [InlineData("{\"Node\": \"kdc1\", \"Updated\": \"2030-01-01T00:00:00Z\", \"Kdcs\": [{\"State\": \"Up, Down\"}]}", "not one a monitor writes")]
    [InlineData("{\"Node\": \"kdc1\", \"Updated\": \"2030-01-01T00:00:00Z\", \"Kdcs\": {\"Kdc\": \"a\"}}", "not a KdcHa monitor status")]
    [InlineData("{\"Node\": \"kdc1\", \"Updated\": \"2030-01-01T00:00:00Z\", \"Kdcs\": [null]}", "a KDC entry is null")]
    [InlineData("{\"Node\": \"kdc1\", \"Updated\": \"2030-01-01T00:00:00Z\", \"Vrrp\": [{\"State\": \"Master, Deleted\"}]}", "not one a monitor writes")]
    [InlineData("{\"Node\": \"kdc1\", \"Updated\": \"2030-01-01T00:00:00Z\", \"Rounds\": 1e999}", "not a KdcHa monitor status")]
    [InlineData("{\"Node\": \"kdc1\", \"Updated\": \"2030-01-01T00:00:00Z\"} trailing", "not a KdcHa monitor status")]
    public void RejectsADocumentOfTheWrongShapeWithAReason(string json, string reason)
    {
        var error = Assert.Throws<StatusDocumentException>(() => StatusDocument.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsADocumentNestedDeeperThanAnyStatus()
    {
        var deep = "{\"Node\": \"kdc1\", \"Updated\": \"2030-01-01T00:00:00Z\", \"Extra\": " + new string('[', 5000) + new string(']', 5000) + "}";

        var error = Assert.Throws<StatusDocumentException>(() => StatusDocument.Parse(Encoding.UTF8.GetBytes(deep)));

        Assert.Contains("not a KdcHa monitor status", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsADocumentLargerThanTheCap()
    {
        var huge = "{\"Node\": \"" + new string('a', StatusDocument.MaxBytes) + "\", \"Updated\": \"2030-01-01T00:00:00Z\"}";

        var error = Assert.Throws<StatusDocumentException>(() => StatusDocument.Parse(Encoding.UTF8.GetBytes(huge)));

        Assert.Contains("larger than 1024 KiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsListsLongerThanAnyCluster()
    {
        var status = Running("kdc1");
        status.Kdcs.AddRange(Enumerable.Range(0, StatusDocument.MaxListLength + 1).Select(i => Up($"10.0.{i / 256}.{i % 256}", false)));

        var error = Assert.Throws<StatusDocumentException>(() => StatusDocument.Parse(Serialize(status)));

        Assert.Contains("lists 65 KDCs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StripsControlCharactersAndCutsLongStringsSoNothingReachesTheTerminal()
    {
        var status = Running("kdc1\u001b]0;owned\u0007\n", Master("VI\u001b[2J_1", 200), Up("10.0.0.1", true));
        status.Kdcs[0].LastMessage = new string('x', 5000) + "\u001b[31m";
        status.Reason = "\r\nforged line";

        var parsed = StatusDocument.Parse(Serialize(status));

        Assert.Equal("kdc1 ]0;owned  ", parsed.Node);
        Assert.Equal("VI [2J_1", parsed.Vrrp[0].Instance);
        Assert.Equal("  forged line", parsed.Reason);
        Assert.Equal(1025, parsed.Kdcs[0].LastMessage.Length);
        Assert.EndsWith("…", parsed.Kdcs[0].LastMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(parsed.Kdcs[0].LastMessage, char.IsControl);
    }

    [Fact]
    public void TreatsAbsentOrNullListsAsEmpty()
    {
        var status = StatusDocument.Parse("{\"Node\": \"kdc1\", \"Updated\": \"2030-01-01T00:00:00Z\", \"Kdcs\": null, \"SplitBrains\": [{\"VirtualRouterId\": 5, \"Masters\": null}]}"u8);

        Assert.Empty(status.Kdcs);
        Assert.Empty(status.Vrrp);
        Assert.Empty(Assert.Single(status.SplitBrains).Masters);
    }

    internal static byte[] Serialize(MonitorStatus status) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(status, new System.Text.Json.JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } });

    internal static MonitorStatus Running(string node, params object[] parts) => new()
    {
        Node = node,
        ProcessId = 100,
        RunState = MonitorRunState.Running,
        Started = Updated.AddHours(-1),
        Updated = Updated,
        IntervalMilliseconds = 200,
        Reason = "the local KDC is up",
        Kdcs = parts.OfType<KdcStatus>().ToList(),
        Vrrp = parts.OfType<VrrpInstanceStatus>().ToList(),
    };

    internal static KdcStatus Up(string kdc, bool isLocal) => new()
    {
        Kdc = kdc, IsLocal = isLocal, Health = KdcHealthState.Up, StateSince = Updated.AddHours(-1), LastProbeStatus = "Healthy",
        LastRoundTripMilliseconds = 0.8, LastProbe = Updated, LastMessage = "PREAUTH_REQUIRED",
    };

    internal static KdcStatus Down(string kdc, bool isLocal) => new()
    {
        Kdc = kdc, IsLocal = isLocal, Health = KdcHealthState.Down, StateSince = Updated.AddSeconds(-10), LastProbeStatus = "Timeout",
        LastRoundTripMilliseconds = 100, LastProbe = Updated, ConsecutiveFailures = 50, LastMessage = "No answer within 100 ms.",
    };

    internal static VrrpInstanceStatus Master(string instance, int priority, DateTime? since = null) => Instance(instance, VrrpState.Master, priority, since);

    internal static VrrpInstanceStatus Instance(string instance, VrrpState state, int priority, DateTime? since = null) => new()
    {
        Kind = "INSTANCE", Instance = instance, InstanceState = state, Priority = priority, StateSince = since ?? Updated.AddMinutes(-30),
    };
}
