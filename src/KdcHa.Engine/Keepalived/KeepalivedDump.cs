using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Vrrp;

namespace KdcHa.Keepalived;

/// <summary>
/// Asks keepalived for one of its signal-triggered dumps and returns the file once keepalived has rewritten it.
/// </summary>
/// <remarks>
/// keepalived 2.2.7 writes <c>$TMPDIR/keepalived.json</c> (SIGFUNC JSON) and <c>$TMPDIR/keepalived.data</c> (DATA),
/// TMPDIR defaulting to /tmp; no configuration keyword renames the JSON file (<c>data_use_instance</c> renames only
/// .data files). Several keepalived sharing one TMPDIR therefore overwrite each other's dumps: KdcHa serialises its own
/// readers with a lock file beside the dump and accepts only a file written after its signal, but a dump that another
/// tool requests from another keepalived at the same moment can still be read instead. Give each keepalived its own
/// TMPDIR (the systemd unit's Environment= or PrivateTmp=yes) to rule that out.
/// </remarks>
public static class KeepalivedDump
{
    public const string JsonFileName = "keepalived.json";
    public const string DataFileName = "keepalived.data";

    /// <summary>No keepalived writes a dump this large for the few instances a host runs; a larger file is refused unread.</summary>
    public const int MaximumDumpBytes = 16 * 1024 * 1024;
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LastPoll = TimeSpan.FromMilliseconds(50);

    private static readonly ConcurrentDictionary<(string Executable, string Function), int> SignalNumbers = new();

    /// <summary>
    /// Signals keepalived and returns <paramref name="parse"/>'s reading of the dump once a file newer than the
    /// signal parses: keepalived writes in place, so a partly written file is read again, but only after it changed.
    /// </summary>
    /// <exception cref="VrrpSourceUnavailableException">No dump written within <paramref name="timeout"/>.</exception>
    /// <exception cref="KeepalivedDumpFormatException">A dump was written but never parsed within the timeout, or is larger than the cap.</exception>
    public static async Task<T> RequestAsync<T>(KeepalivedProcess keepalived, string signalFunction, string fileName, Func<byte[], T> parse, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = Path.Combine(keepalived.TempDirectory, fileName);
        var signal = SignalNumber(keepalived.Executable, signalFunction);
        var clock = Stopwatch.StartNew();
        using var exclusive = await AcquireLockAsync(path + ".kdcha-lock", timeout, cancellationToken).ConfigureAwait(false);
        var before = Stamp(path);
        keepalived.Signal(signal);
        return await WaitForDumpAsync(path, before, parse, timeout - clock.Elapsed, cancellationToken, () => new VrrpSourceUnavailableException(
            $"keepalived (pid {keepalived.ProcessId}) did not write {path} within {timeout.TotalSeconds:0.#} s of signal {signal} ({signalFunction}). " +
            (signalFunction == "JSON" ? "Is it built with --enable-json and running VRRP instances?" : "Is its VRRP process running?"))).ConfigureAwait(false);
    }

    /// <summary>
    /// Polls <paramref name="path"/> from 5 ms up to every 50 ms and reads it only when its time or length differs
    /// from the last look, so a dump that is never finished costs one read per change, not one per poll.
    /// </summary>
    internal static async Task<T> WaitForDumpAsync<T>(string path, (DateTime Written, long Length)? before, Func<byte[], T> parse, TimeSpan timeout, CancellationToken cancellationToken, Func<Exception> nothingWritten)
    {
        var clock = Stopwatch.StartNew();
        var seen = before;
        var delay = FirstPoll;
        KeepalivedDumpFormatException? lastProblem = null;
        while (true)
        {
            var now = Stamp(path);
            if (now is not null && now != seen)
            {
                seen = now;
                delay = FirstPoll;
                if (TryRead(path) is { } bytes)
                {
                    try
                    {
                        return parse(bytes);
                    }
                    catch (KeepalivedDumpFormatException e)
                    {
                        lastProblem = e;
                    }
                }
            }

            if (clock.Elapsed > timeout)
            {
                throw lastProblem is null
                    ? nothingWritten()
                    : new KeepalivedDumpFormatException($"{path} was written after the signal but was not a whole keepalived dump {timeout.TotalSeconds:0.#} s later: {lastProblem.Message}", lastProblem);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastPoll.Ticks));
        }
    }

    /// <summary>keepalived's number for a signal function, from the running binary itself: the numbers differ between builds.</summary>
    public static int SignalNumber(string executable, string function) =>
        SignalNumbers.GetOrAdd((executable, function), static key => AskSignalNumber(key.Executable, key.Function));

    private static int AskSignalNumber(string executable, string function)
    {
        var start = new ProcessStartInfo(executable, "--signum=" + function)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode == 0 && int.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 && number < 65)
            {
                return number;
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VrrpPermissionException($"Running {executable} --signum={function} failed: {e.Message}", e);
        }

        throw new VrrpSourceUnavailableException($"This keepalived has no {function} signal: it was built without that feature (keepalived --signum={function}).");
    }

    private static async Task<FileStream> AcquireLockAsync(string lockPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // .NET takes an exclusive flock(2) for FileShare.None on Unix: other KdcHa readers wait here. The file stays:
                // deleting it on release would let two readers lock two different files.
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new VrrpPermissionException($"Cannot create {lockPath} beside keepalived's dump: {e.Message}", e);
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                await Task.Delay(2, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new VrrpSourceUnavailableException($"Another reader has held {lockPath} for {timeout.TotalSeconds:0.#} s.", e);
            }
        }
    }

    internal static (DateTime Written, long Length)? Stamp(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : null;
    }

    private static byte[]? TryRead(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaximumDumpBytes)
            {
                throw new KeepalivedDumpFormatException($"{path} is {stream.Length} bytes, more than the {MaximumDumpBytes} bytes any keepalived dump of VRRP instances takes.");
            }

            var bytes = new byte[stream.Length];
            var read = 0;
            while (read < bytes.Length)
            {
                var count = stream.Read(bytes, read, bytes.Length - read);
                if (count == 0)
                {
                    return null;
                }

                read += count;
            }

            return bytes;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VrrpPermissionException($"keepalived's dump {path} cannot be read: {e.Message}", e);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}

/// <summary>keepalived's state encodings: the numeric codes of vrrp.h (JSON) and the upper-case names (FIFO, .data).</summary>
public static class KeepalivedStateCodes
{
    public static VrrpState FromCode(long code) => code switch
    {
        0 => VrrpState.Init,
        1 => VrrpState.Backup,
        2 => VrrpState.Master,
        3 => VrrpState.Fault,
        97 => VrrpState.Deleted,
        98 => VrrpState.Stop,
        _ => VrrpState.Unknown,
    };

    public static VrrpState FromName(string name) => name.ToUpperInvariant() switch
    {
        "INIT" => VrrpState.Init,
        "BACKUP" => VrrpState.Backup,
        "MASTER" => VrrpState.Master,
        "FAULT" => VrrpState.Fault,
        "STOP" => VrrpState.Stop,
        "DELETED" => VrrpState.Deleted,
        _ => VrrpState.Unknown,
    };

    /// <summary>Seconds since the Unix epoch with a fraction, as keepalived prints last_transition.</summary>
    public static DateTime? FromUnixSeconds(double seconds) =>
        seconds > 0 && seconds < 253402300799 ? DateTime.SpecifyKind(new DateTime(1970, 1, 1).AddTicks((long)(seconds * TimeSpan.TicksPerSecond)), DateTimeKind.Utc) : null;
}

/// <summary>Plain decimal numbers in keepalived's text (config, data dump), accepted only within their range.</summary>
internal static class KeepalivedNumbers
{
    public static int? Parse(string value, int minimum, int maximum) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= minimum && n <= maximum ? n : null;
}
