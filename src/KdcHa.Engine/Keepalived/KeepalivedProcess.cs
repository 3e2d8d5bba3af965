using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using KdcHa.Common;
using KdcHa.Vrrp;

namespace KdcHa.Keepalived;

/// <summary>
/// A running keepalived found through its pid file, seen through /proc: its environment (TMPDIR decides where it
/// writes dumps, DBUS_SYSTEM_BUS_ADDRESS which bus it publishes on), its root (so a daemon with a private /tmp, such as systemd's PrivateTmp, is still read correctly),
/// its configuration file and its signals.
/// </summary>
public sealed class KeepalivedProcess
{
    public const string DefaultPidFile = "/run/keepalived.pid";
    private const int PermissionDenied = 1;
    private const int NoSuchProcess = 3;

    private KeepalivedProcess(int processId, string pidFile, string tempDirectory, string configFile, string executable, string? systemBusAddress)
    {
        ProcessId = processId;
        PidFile = pidFile;
        TempDirectory = tempDirectory;
        ConfigFile = configFile;
        Executable = executable;
        SystemBusAddress = systemBusAddress;
    }

    public int ProcessId { get; }

    public string PidFile { get; }

    /// <summary>keepalived's TMPDIR (default /tmp) as this process reaches it, through /proc/&lt;pid&gt;/root.</summary>
    public string TempDirectory { get; }

    /// <summary>The configuration file keepalived was started with (-f), as this process reaches it.</summary>
    public string ConfigFile { get; }

    /// <summary>The daemon's own binary: it answers --signum for exactly the build that runs.</summary>
    public string Executable { get; }

    /// <summary>keepalived's DBUS_SYSTEM_BUS_ADDRESS: the bus it publishes on with enable_dbus; null when it uses the default.</summary>
    public string? SystemBusAddress { get; }

    /// <exception cref="KeepalivedNotRunningException">No pid file, or an empty one.</exception>
    /// <exception cref="PidFileStaleException">The pid is not a live keepalived.</exception>
    /// <exception cref="VrrpPermissionException">The pid file or /proc entries cannot be read.</exception>
    public static KeepalivedProcess Find(string pidFile)
    {
        var processId = ReadLivePid(pidFile);
        var procDirectory = $"/proc/{processId}";
        try
        {
            var root = $"{procDirectory}/root";
            var environment = ReadNulSeparated($"{procDirectory}/environ");
            var tmp = Variable(environment, "TMPDIR");
            var arguments = ReadNulSeparated($"{procDirectory}/cmdline");
            var config = ConfigArgument(arguments) ?? KeepalivedConfig.DefaultPath;
            var cwd = $"{procDirectory}/cwd";
            return new KeepalivedProcess(
                processId,
                pidFile,
                Under(root, string.IsNullOrEmpty(tmp) ? "/tmp" : tmp!),
                config.StartsWith("/", StringComparison.Ordinal) ? Under(root, config) : Path.Combine(cwd, config),
                $"{procDirectory}/exe",
                Variable(environment, "DBUS_SYSTEM_BUS_ADDRESS"));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VrrpPermissionException($"Reading keepalived's process details (/proc/{processId}) is not permitted: run as root, or as keepalived's user.", e);
        }
    }

    /// <summary>
    /// Why keepalived is not running, as its pid file and /proc say (the messages of <see cref="Find"/>); null while
    /// it runs, and also when that cannot be told (no permission), so a caller that acts on a dead keepalived never
    /// acts on a doubt. Reads two small files, cheap enough for every advertisement heard.
    /// </summary>
    public static string? NotRunningReason(string pidFile)
    {
        try
        {
            ReadLivePid(pidFile);
            return null;
        }
        catch (KdcHaException e) when (e is KeepalivedNotRunningException or PidFileStaleException)
        {
            return e.Message;
        }
        catch (KdcHaException)
        {
            return null;
        }
    }

    /// <summary>Sends a signal; keepalived's parent forwards dump signals to its VRRP child.</summary>
    public void Signal(int signalNumber)
    {
        if (Kill(ProcessId, signalNumber) == 0)
        {
            return;
        }

        var errno = Marshal.GetLastWin32Error();
        throw errno switch
        {
            PermissionDenied => new VrrpPermissionException($"Signalling keepalived (pid {ProcessId}) is not permitted: run as root, or as keepalived's user."),
            NoSuchProcess => new KeepalivedNotRunningException($"keepalived (pid {ProcessId}) exited before it could be asked for its state."),
            _ => new VrrpSourceUnavailableException($"Signalling keepalived (pid {ProcessId}) failed with errno {errno}."),
        };
    }

    /// <summary>Pids of this keepalived's children (the VRRP process among them), from /proc.</summary>
    public IReadOnlyList<int> ChildProcessIds()
    {
        try
        {
            return File.ReadAllText($"/proc/{ProcessId}/task/{ProcessId}/children")
                .Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
                .ToList();
        }
        catch (IOException)
        {
            return Array.Empty<int>();
        }
    }

    private static int ReadLivePid(string pidFile)
    {
        var processId = ReadPid(pidFile);
        ProcessStat stat;
        try
        {
            stat = ProcessStat.Read(processId.ToString(CultureInfo.InvariantCulture));
        }
        catch (IOException e)
        {
            throw new PidFileStaleException($"The pid file {pidFile} names process {processId}, which no longer runs: keepalived has stopped or crashed.", e);
        }

        if (stat.Name != "keepalived")
        {
            throw new PidFileStaleException($"The pid file {pidFile} names process {processId}, which is '{stat.Name}', not keepalived: the file is left from a keepalived that has stopped.");
        }

        if (stat.HasExited)
        {
            throw new PidFileStaleException($"The pid file {pidFile} names process {processId}, a keepalived that has exited: it has stopped or crashed.");
        }

        return processId;
    }

    private static int ReadPid(string pidFile)
    {
        // "12345\n"; read at every VRRP advertisement the monitor hears, so into a stack buffer.
        Span<byte> buffer = stackalloc byte[32];
        scoped ReadOnlySpan<byte> text;
        try
        {
            text = SmallFile.Read(pidFile, buffer);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new KeepalivedNotRunningException($"keepalived is not running: its pid file {pidFile} does not exist. Start keepalived, or give the right -PidFile.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VrrpPermissionException($"The pid file {pidFile} cannot be read: {e.Message}", e);
        }

        if (!int.TryParse(text.Trim(" \t\r\n"u8), NumberStyles.None, CultureInfo.InvariantCulture, out var processId) || processId <= 0)
        {
            throw new KeepalivedNotRunningException($"keepalived is not running: its pid file {pidFile} holds no pid.");
        }

        return processId;
    }

    private static string? ConfigArgument(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if ((argument == "-f" || argument == "--use-file") && i + 1 < arguments.Count)
            {
                return arguments[i + 1];
            }

            if (argument.StartsWith("--use-file=", StringComparison.Ordinal))
            {
                return argument.Substring("--use-file=".Length);
            }

            if (argument.StartsWith("-f", StringComparison.Ordinal) && argument.Length > 2 && !argument.StartsWith("--", StringComparison.Ordinal))
            {
                return argument.Substring(2);
            }
        }

        return null;
    }

    private static string? Variable(IEnumerable<string> environment, string name) =>
        environment.Where(v => v.StartsWith(name + "=", StringComparison.Ordinal)).Select(v => v.Substring(name.Length + 1)).LastOrDefault();

    private static string Under(string root, string absolutePath) => root + "/" + absolutePath.TrimStart('/');

    private static string[] ReadNulSeparated(string path) =>
        Encoding.UTF8.GetString(File.ReadAllBytes(path)).Split(new[] { '\0' }, StringSplitOptions.RemoveEmptyEntries);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int processId, int signalNumber);
}
