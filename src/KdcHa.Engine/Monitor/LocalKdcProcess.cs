using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using KdcHa.Common;

namespace KdcHa.Monitor;

/// <summary>
/// Whether the local KDC's process exists, and what it is doing: what tells a KDC that is restarting from one that is
/// gone, and a busy KDC from a hung one.
/// </summary>
public interface ILocalKdcProcess
{
    /// <summary>The process name looked for, e.g. krb5kdc.</summary>
    string Name { get; }

    bool IsRunning();

    /// <summary>What every such process has done so far; null when none runs.</summary>
    LocalKdcActivity? Activity();
}

/// <summary>CPU time used by the local KDC's processes so far, and whether one of them waits for a CPU right now.</summary>
public readonly record struct LocalKdcActivity(TimeSpan CpuTime, bool Runnable)
{
    /// <summary>
    /// It worked since <paramref name="before"/>: it used CPU, or it is runnable now. Measured: a KDC held by a cgroup
    /// CPU quota shows no CPU time and no run delay while throttled, but stays runnable (R); a stopped or blocked one
    /// is not (T, S or D) and uses nothing.
    /// </summary>
    public bool WorkedSince(LocalKdcActivity before) => CpuTime > before.CpuTime || Runnable;
}

/// <summary>
/// The local KDC's process as /proc shows it: a process of that name in this network namespace (a KDC on another
/// namespace of the same host, as in a lab or a container host, does not count). Read only when a probe failed,
/// never every round.
/// </summary>
public sealed class ProcKdcProcess : ILocalKdcProcess
{
    public ProcKdcProcess(string name)
    {
        Name = string.IsNullOrEmpty(name) ? throw new ArgumentException("A process name is required.", nameof(name)) : name;
    }

    public string Name { get; }

    public bool IsRunning() => ProcessIdTexts().Any();

    /// <summary>The ids of the live processes of that name in this network namespace.</summary>
    public IReadOnlyList<int> ProcessIds() =>
        ProcessIdTexts().Select(pid => int.Parse(pid, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Whether <paramref name="pid"/> is a live process of that name in this network namespace.</summary>
    public bool Runs(int pid)
    {
        var text = pid.ToString(CultureInfo.InvariantCulture);
        return IsLive(text) && NetworkNamespace(text) == NetworkNamespace("self");
    }

    public LocalKdcActivity? Activity()
    {
        LocalKdcActivity? total = null;
        foreach (var pid in ProcessIdTexts())
        {
            try
            {
                var runnable = ProcessStat.Read(pid).State == 'R';
                // schedstat's first field is nanoseconds on a CPU: /proc/<pid>/stat counts 10 ms ticks, too coarse
                // for a KDC throttled to a few percent of a core over one 100 ms probe.
                var schedstat = File.ReadAllText($"/proc/{pid}/schedstat");
                var nanoseconds = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture);
                var sum = total ?? default;
                total = new LocalKdcActivity(sum.CpuTime + TimeSpan.FromTicks(nanoseconds / 100), sum.Runnable || runnable);
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentOutOfRangeException)
            {
                // It exited meanwhile, or this kernel has no schedstat: that process adds nothing.
            }
        }

        return total;
    }

    private IEnumerable<string> ProcessIdTexts()
    {
        var namespaceLink = NetworkNamespace("self");
        return Directory.EnumerateDirectories("/proc")
            .Select(entry => Path.GetFileName(entry)!)
            .Where(entry => entry.All(char.IsAsciiDigit))
            .Where(pid => IsLive(pid) && NetworkNamespace(pid) == namespaceLink);
    }

    // A process may exit between the listing and the read: it then simply does not match. A zombie has exited.
    private bool IsLive(string pid)
    {
        try
        {
            var stat = ProcessStat.Read(pid);
            return stat.Name == Name && !stat.HasExited;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? NetworkNamespace(string pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
