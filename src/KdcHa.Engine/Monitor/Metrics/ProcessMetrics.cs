using System;
using System.Diagnostics;
using System.Globalization;
using System.IO.Enumeration;
using System.Linq;
using KdcHa.Common;

namespace KdcHa.Monitor.Metrics;

/// <summary>
/// The monitor process's own cost, under the names Prometheus client libraries use for it (client_golang's process
/// collector; prometheus-net's dotnet_ series, and .NET's own dotnet.gc.heap.total_allocated as OpenTelemetry's
/// Prometheus exporter names it), so the usual dashboards and a memory-growth alert work
/// unchanged. Read from /proc/self at each scrape: one stat read, one limits read and one fd listing, into stack
/// buffers and without a string per descriptor.
/// </summary>
internal static class ProcessMetrics
{
    // USER_HZ: the unit of utime and stime in /proc/<pid>/stat, 100 on every Linux architecture .NET runs on.
    private const double ClockTicksPerSecond = 100;

    // The process's, not the monitor's: a monitor started from an interactive pwsh runs in an older process.
    private static readonly double StartedSeconds = (Process.GetCurrentProcess().StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalMilliseconds / 1000;

    public static void Write(PrometheusTextWriter text)
    {
        var stat = ReadStat();
        text.Family("process_cpu_seconds_total", "counter", "User and system CPU time the monitor process spent, in seconds.");
        text.Sample("process_cpu_seconds_total", stat.CpuTicks / ClockTicksPerSecond);
        text.Family("process_resident_memory_bytes", "gauge", "Resident memory of the monitor process, in bytes.");
        text.Sample("process_resident_memory_bytes", stat.ResidentPages * (double)Environment.SystemPageSize);
        text.Family("process_virtual_memory_bytes", "gauge", "Virtual memory of the monitor process, in bytes.");
        text.Sample("process_virtual_memory_bytes", stat.VirtualBytes);
        text.Family("process_open_fds", "gauge", "File descriptors the monitor process holds open.");
        text.Sample("process_open_fds", new FileSystemEnumerable<byte>("/proc/self/fd", (ref FileSystemEntry _) => 0).Count());
        text.Family("process_max_fds", "gauge", "The monitor process's limit on open file descriptors (RLIMIT_NOFILE, soft).");
        text.Sample("process_max_fds", MaxOpenFiles());
        text.Family("process_start_time_seconds", "gauge", "When the monitor process started, in seconds since the Unix epoch.");
        text.Sample("process_start_time_seconds", StartedSeconds);

        text.Family("dotnet_total_memory_bytes", "gauge", "Bytes the .NET garbage collector holds allocated for live and not yet collected objects.");
        text.Sample("dotnet_total_memory_bytes", GC.GetTotalMemory(forceFullCollection: false));
        text.Family("dotnet_gc_heap_total_allocated_bytes_total", "counter", "Bytes the monitor process allocated on the .NET heap since it started; its rate is the garbage made per second.");
        text.Sample("dotnet_gc_heap_total_allocated_bytes_total", GC.GetTotalAllocatedBytes(precise: false));
        text.Family("dotnet_collection_count_total", "counter", "Garbage collections of each generation since the monitor process started.");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            text.Sample("dotnet_collection_count_total", GC.CollectionCount(generation), ("generation", generation.ToString(CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>utime + stime, vsize and rss (fields 14, 15, 23 and 24 of proc(5)'s /proc/pid/stat).</summary>
    private static (long CpuTicks, double VirtualBytes, long ResidentPages) ReadStat()
    {
        Span<byte> buffer = stackalloc byte[StatLine.MaxBytes];
        var stat = new StatLine(SmallFile.Read("/proc/self/stat", buffer));
        return (stat.Number(14) + stat.Number(15), stat.Number(23), stat.Number(24));
    }

    private static double MaxOpenFiles()
    {
        // "Max open files            1024                 524288               files"
        Span<byte> buffer = stackalloc byte[4096];
        var limits = SmallFile.Read("/proc/self/limits", buffer);
        var line = limits.IndexOf("Max open files"u8);
        if (line < 0)
        {
            return double.NaN;
        }

        var soft = limits[(line + "Max open files".Length)..].TrimStart((byte)' ');
        soft = soft[..Math.Max(0, soft.IndexOf((byte)' '))];
        return soft.SequenceEqual("unlimited"u8) ? double.PositiveInfinity
            : double.TryParse(soft, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;
    }
}
