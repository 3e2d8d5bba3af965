using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using KdcHa.Common;
using KdcHa.Vrrp;

namespace KdcHa.Monitor;

public enum MonitorRunState
{
    Running,
    Stopped,
}

/// <summary>
/// The monitor's status as other processes see it (Get-KdcHaMonitor, scripts): written to a JSON file after every
/// probe round. States are enums for the engine (internal, written to the file by name) and names for PowerShell,
/// so the object converts to JSON with names like the file.
/// </summary>
public sealed class MonitorStatus
{
    public string Node { get; set; } = string.Empty;

    public int ProcessId { get; set; }

    /// <summary>Running or Stopped.</summary>
    [JsonIgnore]
    public string State => RunState.ToString();

    [JsonInclude]
    [JsonPropertyName(nameof(State))]
    internal MonitorRunState RunState { get; set; }

    public DateTime Started { get; set; }

    public DateTime Updated { get; set; }

    public int IntervalMilliseconds { get; set; }

    public bool Fault { get; set; }

    public DateTime? FaultSince { get; set; }

    public bool AllKdcsDown { get; set; }

    public string Reason { get; set; } = string.Empty;

    public long Rounds { get; set; }

    public List<KdcStatus> Kdcs { get; set; } = new();

    /// <summary>keepalived's instances as its notify FIFO last reported them; empty without a FIFO.</summary>
    public List<VrrpInstanceStatus> Vrrp { get; set; } = new();

    /// <summary>Split brains heard on the VRRP wire and not yet over.</summary>
    public List<SplitBrainStatus> SplitBrains { get; set; } = new();

    /// <summary>On an HAProxy node (Start-KdcHaMonitor -LocalFrontend), the local and peer frontends; else null and left out of the file.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<KdcStatus>? Frontends { get; set; }

    /// <summary>Filled in by the reader: a running monitor whose file is older than a few intervals has stalled or died.</summary>
    public bool IsStale { get; set; }

    public string Path { get; set; } = string.Empty;
}

/// <summary>One probed KDC as the monitor last saw it.</summary>
public sealed class KdcStatus
{
    public string Kdc { get; set; } = string.Empty;

    public bool IsLocal { get; set; }

    /// <summary>Up, Down or Unknown.</summary>
    [JsonIgnore]
    public string State => Health.ToString();

    [JsonInclude]
    [JsonPropertyName(nameof(State))]
    internal KdcHealthState Health { get; set; }

    public DateTime? StateSince { get; set; }

    public string LastProbeStatus { get; set; } = string.Empty;

    public double LastRoundTripMilliseconds { get; set; }

    public DateTime? LastProbe { get; set; }

    /// <summary>When an Authenticated probe last proved the keys; null at Reachable level or before the first.</summary>
    public DateTime? LastAuthenticated { get; set; }

    public int ConsecutiveFailures { get; set; }

    public string LastMessage { get; set; } = string.Empty;

    /// <summary>The list views' line: state and since when, the last probe, the failures in a row and the message.</summary>
    public override string ToString() => string.Format(CultureInfo.CurrentCulture, "{0} {1} since {2:yyyy-MM-dd HH:mm:ss}Z, last {3} {4:N1} ms, {5} failure(s) {6}",
        Kdc, State, StateSince, LastProbeStatus, LastRoundTripMilliseconds, ConsecutiveFailures, LastMessage);

    internal KdcStatus Copy() => (KdcStatus)MemberwiseClone();
}

/// <summary>One VRRP instance or sync group as keepalived last reported it through the notify FIFO.</summary>
public sealed class VrrpInstanceStatus
{
    /// <summary>INSTANCE or GROUP.</summary>
    public string Kind { get; set; } = string.Empty;

    public string Instance { get; set; } = string.Empty;

    /// <summary>As keepalived names it: Master, Backup, Fault...; Unknown until the FIFO says.</summary>
    [JsonIgnore]
    public string State => InstanceState.ToString();

    [JsonInclude]
    [JsonPropertyName(nameof(State))]
    internal VrrpState InstanceState { get; set; }

    public int? Priority { get; set; }

    public DateTime StateSince { get; set; }

    internal VrrpInstanceStatus Copy() => (VrrpInstanceStatus)MemberwiseClone();
}

/// <summary>A split brain in progress, as the status file shows it.</summary>
public sealed class SplitBrainStatus
{
    public int VirtualRouterId { get; set; }

    public List<string> Masters { get; set; } = new();

    public DateTime Since { get; set; }

    internal SplitBrainStatus Copy() => new() { VirtualRouterId = VirtualRouterId, Masters = new List<string>(Masters), Since = Since };
}

public interface IMonitorStatusStore
{
    void Write(MonitorStatus status);
}

/// <summary>The status as a JSON file, replaced atomically so a reader never sees a half-written one.</summary>
public sealed class MonitorStatusFile : IMonitorStatusStore
{
    // A Running status not refreshed for this many intervals belongs to a monitor that stalled or died.
    private const int StaleAfterIntervals = 5;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
    };

    public MonitorStatusFile(string path)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
    }

    public string Path { get; }

    public void Write(MonitorStatus status) => AtomicFile.Replace(Path, Serialize(status));

    /// <summary>The document as the file holds it, and as the metrics endpoint's /status serves it.</summary>
    internal static byte[] Serialize(MonitorStatus status) => JsonSerializer.SerializeToUtf8Bytes(status, Options);

    /// <summary>A Running status not refreshed for a few intervals belongs to a monitor whose loop stalled or died.</summary>
    internal static bool IsStaleAt(MonitorStatus status, DateTime utcNow) => status.RunState == MonitorRunState.Running
        && utcNow - status.Updated > TimeSpan.FromMilliseconds(StaleAfterIntervals * Math.Max(status.IntervalMilliseconds, 200));

    /// <exception cref="KdcHaException">The file is missing or is not a monitor status.</exception>
    public MonitorStatus Read(DateTime utcNow)
    {
        MonitorStatus? status;
        try
        {
            status = JsonSerializer.Deserialize<MonitorStatus>(File.ReadAllBytes(Path), Options);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new KdcHaException($"No monitor status at {Path}: Start-KdcHaMonitor has not run with this state directory.", e);
        }
        catch (JsonException e)
        {
            throw new KdcHaException($"{Path} is not a KdcHa monitor status file: {e.Message}", e);
        }

        if (status is null)
        {
            throw new KdcHaException($"{Path} is not a KdcHa monitor status file: it holds null.");
        }

        status.Path = Path;
        status.IsStale = IsStaleAt(status, utcNow);
        return status;
    }
}
