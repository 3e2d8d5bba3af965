using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using KdcHa.Common;

namespace KdcHa.Monitor;

/// <summary>The status as a JSON file, replaced atomically so a reader never sees a half-written one.</summary>
public sealed class MonitorStatusFile : IMonitorStatusStore
{
    // A Running status not refreshed for this many intervals belongs to a monitor that stalled or died.
    private const int StaleAfterIntervals = 5;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public MonitorStatusFile(string path)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
    }

    public string Path { get; }

    public void Write(MonitorStatus status) => AtomicFile.Replace(Path, JsonSerializer.SerializeToUtf8Bytes(status, Options));

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
        status.IsStale = status.State == MonitorRunState.Running
            && utcNow - status.Updated > TimeSpan.FromMilliseconds(StaleAfterIntervals * Math.Max(status.IntervalMilliseconds, 200));
        return status;
    }
}
