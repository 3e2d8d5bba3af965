using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using KdcHa.Common;
using KdcHa.Kerberos.Health;

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

/// <summary>
/// CPU time used by the local KDC's processes so far, and whether one of them is waiting right now: runnable (R) for a
/// CPU, or in uninterruptible sleep (D), as in an fsync of its database.
/// </summary>
public readonly record struct LocalKdcActivity(TimeSpan CpuTime, bool Waiting)
{
    /// <summary>
    /// It worked since <paramref name="before"/>: it used CPU, or it is waiting for a CPU or the disk now. Measured: a
    /// KDC held by a cgroup CPU quota shows no CPU time and no run delay while throttled, but stays runnable (R); a
    /// stopped one (T) or one asleep on a lock or a socket (S) is not, and uses nothing.
    /// </summary>
    public bool WorkedSince(LocalKdcActivity before) => CpuTime > before.CpuTime || Waiting;
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
                var waiting = ProcessStat.Read(pid).State is 'R' or 'D';
                // schedstat's first field is nanoseconds on a CPU: /proc/<pid>/stat counts 10 ms ticks, too coarse
                // for a KDC throttled to a few percent of a core over one 100 ms probe.
                var schedstat = File.ReadAllText($"/proc/{pid}/schedstat");
                var nanoseconds = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture);
                var sum = total ?? default;
                total = new LocalKdcActivity(sum.CpuTime + TimeSpan.FromTicks(nanoseconds / 100), sum.Waiting || waiting);
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

/// <summary>
/// The local KDC's probe deadline, from the round trips it showed while healthy: a KDC that answers in a millisecond
/// and then not within twenty has very likely stopped, so a hang is confirmed in two short waits instead of two of
/// <see cref="Configuration.MonitorConfiguration.TimeoutMilliseconds"/>. It is safe only beside the busy check: a
/// local KDC that merely answers late has used or waited for CPU meanwhile and gets the longer busy probe, and one
/// that is slower all along raises its own deadline.
/// </summary>
public sealed class LocalKdcDeadline
{
    // Four times the slowest of the last 32 healthy answers: room for a scheduler hiccup (a lab KDC answering in 0.7 ms
    // showed single answers of up to 4.6 ms), and the deadline follows a load that slows the KDC within a few rounds.
    // Eight answers before it adapts at all: one lucky round says little.
    private const int Samples = 32;
    private const int SamplesBeforeAdapting = 8;
    private const double Slack = 4;
    private readonly double[] _roundTrips = new double[Samples];
    private readonly TimeSpan _minimum;
    private readonly TimeSpan _maximum;
    private int _count;
    private int _next;

    public LocalKdcDeadline(TimeSpan minimum, TimeSpan maximum)
    {
        if (minimum <= TimeSpan.Zero || minimum > maximum)
        {
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"must be positive and at most {maximum.TotalMilliseconds} ms");
        }

        _minimum = minimum;
        _maximum = maximum;
        Current = maximum;
    }

    /// <summary>The deadline for the local KDC's next probe: the maximum until enough healthy answers were seen.</summary>
    public TimeSpan Current { get; private set; }

    public void Observe(KdcHealthResult result)
    {
        if (result.Verdict != KdcHealthStatus.Healthy)
        {
            return;
        }

        _roundTrips[_next] = result.RoundTripMilliseconds;
        _next = (_next + 1) % Samples;
        _count = Math.Min(_count + 1, Samples);
        if (_count < SamplesBeforeAdapting)
        {
            return;
        }

        var slowest = 0.0;
        for (var i = 0; i < _count; i++)
        {
            slowest = Math.Max(slowest, _roundTrips[i]);
        }

        var adapted = TimeSpan.FromMilliseconds(Math.Ceiling(Slack * slowest));
        Current = adapted < _minimum ? _minimum : adapted > _maximum ? _maximum : adapted;
    }
}
