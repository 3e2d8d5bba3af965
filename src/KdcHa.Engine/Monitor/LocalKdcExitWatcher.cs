using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;

namespace KdcHa.Monitor;

/// <summary>
/// What the exit watcher learnt about the local KDC's processes, shared with the monitor as
/// <see cref="VrrpObservations"/> is with the VRRP watchers: the processes it follows, those of them that exited since
/// one last started, and a wake-up that starts the monitor's next round at once instead of after the interval.
/// </summary>
public sealed class LocalKdcExits
{
    private readonly object _gate = new();
    private readonly SortedSet<int> _watched = new();
    private readonly List<LocalKdcExit> _exited = new();
    private TaskCompletionSource _next = NewSignal();

    /// <summary>The processes followed now.</summary>
    public IReadOnlyList<int> Watched()
    {
        lock (_gate)
        {
            return _watched.ToArray();
        }
    }

    /// <summary>
    /// Once no process of the name runs: the ones that exited, those the watcher saw exit and those it still follows
    /// (none runs, so they exited too, though the watcher's thread has not woken yet: how is unknown); empty when it
    /// followed none.
    /// </summary>
    public IReadOnlyList<LocalKdcExit> Gone()
    {
        lock (_gate)
        {
            return _exited.Concat(_watched.Select(pid => new LocalKdcExit(pid, null))).OrderBy(exit => exit.ProcessId).ToArray();
        }
    }

    /// <summary>Completes at the next exit recorded from now on: what the round loop waits on beside the interval.</summary>
    public Task NextExit()
    {
        lock (_gate)
        {
            if (_next.Task.IsCompleted)
            {
                _next = NewSignal();
            }

            return _next.Task;
        }
    }

    /// <summary>Names the exits for an event: "krb5kdc (pid 812) exited: killed by SIGKILL, krb5kdc (pid 813) exited".</summary>
    public static string Describe(string name, IEnumerable<LocalKdcExit> exits) => string.Join(", ", exits.Select(exit => exit.Describe(name)));

    internal void Watch(int pid)
    {
        lock (_gate)
        {
            // The first process after none (a restart's new one): the exits before it are history.
            if (_watched.Count == 0)
            {
                _exited.Clear();
            }

            _watched.Add(pid);
        }
    }

    /// <summary>The watcher stopped following these (it ended): they did not exit.</summary>
    internal void Forget(IEnumerable<int> pids)
    {
        lock (_gate)
        {
            _watched.ExceptWith(pids);
        }
    }

    internal void Exited(LocalKdcExit exit)
    {
        TaskCompletionSource next;
        lock (_gate)
        {
            _watched.Remove(exit.ProcessId);
            _exited.RemoveAll(known => known.ProcessId == exit.ProcessId);
            _exited.Add(exit);

            next = _next;
        }

        next.TrySetResult();
    }

    // Continuations run on the thread pool, never on the watcher's thread that records the exit.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// One exit of a local KDC process: its pid and, when the watcher read it before the parent collected the process,
/// its wait status (waitpid(2)'s, from the zombie's /proc/&lt;pid&gt;/stat).
/// </summary>
public sealed record LocalKdcExit(int ProcessId, int? WaitStatus)
{
    private const int InterruptSignal = 2;
    private const int TerminateSignal = 15;

    private static readonly Dictionary<int, string> SignalNames = new()
    {
        [1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP", [6] = "SIGABRT", [7] = "SIGBUS",
        [8] = "SIGFPE", [9] = "SIGKILL", [11] = "SIGSEGV", [13] = "SIGPIPE", [15] = "SIGTERM", [24] = "SIGXCPU", [25] = "SIGXFSZ",
    };

    /// <summary>The signal that killed the process; null when it exited, or how is unknown.</summary>
    public int? Signal => WaitStatus is { } status && (status & 0x7f) is > 0 and < 0x7f ? status & 0x7f : null;

    /// <summary>The status it exited with; null when a signal killed it, or how is unknown.</summary>
    public int? ExitCode => WaitStatus is { } status && (status & 0x7f) == 0 ? (status >> 8) & 0xff : null;

    /// <summary>
    /// Killed by a signal other than a stop request (SIGKILL, the OOM killer's; SIGSEGV, SIGABRT), or exited with a
    /// failure status: a crash, which no new process follows at once. A stop (status 0, SIGTERM, SIGINT) may be a
    /// restart's, and an exit whose status was not read may be either.
    /// </summary>
    public bool IsCrash => Signal is { } signal ? signal is not (TerminateSignal or InterruptSignal) : ExitCode is > 0;

    public string Describe(string name) => $"{name} (pid {ProcessId}) exited" + (Signal, ExitCode) switch
    {
        ({ } signal, _) => $": killed by {(SignalNames.TryGetValue(signal, out var known) ? known : $"signal {signal}")}",
        (_, { } code) => $" with status {code}",
        _ => string.Empty,
    };
}

/// <summary>
/// Sees the local KDC's processes (<see cref="ProcKdcProcess"/>: by name, in this network namespace) exit the moment
/// they do, and wakes the monitor's round loop through <see cref="LocalKdcExits"/>: the round's refused probe and the
/// missing process then mark the KDC down at once, instead of at the next round up to an interval later.
/// </summary>
/// <remarks>
/// One pidfd (pidfd_open(2), Linux 5.3) per process: a pidfd polls readable when its process exits, whatever its
/// parent. One thread of its own blocks in poll(2) on them and an eventfd that cancellation signals, so a running KDC
/// costs no wake-up. /proc is listed for new processes (a restart's, the workers of krb5kdc -w) every
/// <c>rescanInterval</c> while none is followed, at once after an exit, and every <c>rescanWhileWatching</c>
/// otherwise. The netlink process connector was the other way: it needs CAP_NET_ADMIN in the initial namespaces and
/// wakes the monitor for every fork and exit on the host, where a pidfd wakes it for its own process only.
/// </remarks>
public sealed class LocalKdcExitWatcher : IMonitorWatcher
{
    private const long PidFdOpenCall = 434;
    private const int EventFdCloseOnExec = 0x80000;
    private const int EventFdNonBlocking = 0x800;
    private const int NoSuchProcess = 3;
    private const int NotPermitted = 1;
    private const int NotImplemented = 38;

    private readonly string _node;
    private readonly ProcKdcProcess _process;
    private readonly LocalKdcExits _exits;
    private readonly IMonitorEventSink _events;
    private readonly IMonitorClock _clock;
    private readonly TimeSpan _rescanInterval;
    private readonly TimeSpan _rescanWhileWatching;

    /// <summary>
    /// <paramref name="rescanInterval"/>: how often /proc is listed while no process is followed (the probe interval);
    /// <paramref name="rescanWhileWatching"/>: how often while one is, for more processes of the name.
    /// </summary>
    public LocalKdcExitWatcher(string node, ProcKdcProcess process, LocalKdcExits exits, IMonitorEventSink events, IMonitorClock clock, TimeSpan rescanInterval, TimeSpan rescanWhileWatching)
    {
        _node = node;
        _process = process ?? throw new ArgumentNullException(nameof(process));
        _exits = exits ?? throw new ArgumentNullException(nameof(exits));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _rescanInterval = rescanInterval;
        _rescanWhileWatching = rescanWhileWatching;
    }

    /// <summary>Follows the processes until cancelled; the thread and every descriptor are gone when the task ends.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Watch(cancellationToken);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        { IsBackground = true, Name = $"{_process.Name} exit watcher" };
        thread.Start();
        return done.Task;
    }

    private void Watch(CancellationToken cancellationToken)
    {
        var wake = LibC.EventFd(0, EventFdCloseOnExec | EventFdNonBlocking);
        if (wake < 0)
        {
            throw new InvalidOperationException($"Creating the exit watcher's eventfd failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }

        var followed = new Dictionary<int, int>();
        try
        {
            using var stop = cancellationToken.Register(() => LibC.Write(wake, BitConverter.GetBytes(1UL), (UIntPtr)8));
            var clock = Stopwatch.StartNew();
            var nextScan = TimeSpan.Zero;
            while (!cancellationToken.IsCancellationRequested)
            {
                if (clock.Elapsed >= nextScan)
                {
                    if (!Scan(followed))
                    {
                        return;
                    }

                    nextScan = clock.Elapsed + (followed.Count == 0 ? _rescanInterval : _rescanWhileWatching);
                }

                var polls = followed.Values.Append(wake).Select(descriptor => new LibC.PollDescriptor { Descriptor = descriptor, Events = LibC.PollIn }).ToArray();
                var timeout = (int)Math.Clamp(Math.Ceiling((nextScan - clock.Elapsed).TotalMilliseconds), 0, int.MaxValue);
                if (LibC.Poll(polls, (ulong)polls.Length, timeout) < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.Interrupted)
                    {
                        continue;
                    }

                    throw new InvalidOperationException($"Waiting for {_process.Name} to exit failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
                }

                foreach (var (pid, pidfd) in followed.Where(entry => polls.Any(poll => poll.Descriptor == entry.Value && poll.ReturnedEvents != 0)).ToArray())
                {
                    // The zombie's status first, while it waits for its parent; a parent that collected it already (systemd
                    // and .NET reap at once, about every other kill in the lab) leaves the status with the pidfd alone.
                    var status = WaitStatus(pid) ?? ReapedWaitStatus(pidfd);
                    followed.Remove(pid);
                    LibC.Close(pidfd);
                    _exits.Exited(new LocalKdcExit(pid, status));

                    // A restart's new process may be there already; if not, /proc is listed again at the bounded rate.
                    nextScan = TimeSpan.Zero;
                }
            }
        }
        finally
        {
            foreach (var pidfd in followed.Values)
            {
                LibC.Close(pidfd);
            }

            _exits.Forget(followed.Keys);

            LibC.Close(wake);
        }
    }

    /// <summary>A zombie's wait status: the 52nd field of /proc/&lt;pid&gt;/stat (Linux 3.5); null once it was collected.</summary>
    internal static int? WaitStatus(int pid)
    {
        try
        {
            Span<byte> buffer = stackalloc byte[StatLine.MaxBytes];
            var stat = new StatLine(SmallFile.Read($"/proc/{pid}/stat", buffer));
            return stat.Field(3) is [(byte)'Z' or (byte)'X'] && stat.TryNumber(52, out var status) && status <= int.MaxValue ? (int)status : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// A collected process's wait status, which Linux 6.15 and later keep for its pidfds (PIDFD_GET_INFO with
    /// PIDFD_INFO_EXIT); null on an older kernel, or while it is still a zombie.
    /// </summary>
    internal static int? ReapedWaitStatus(int pidfd)
    {
        var info = new PidFdInfo { Mask = PidFdInfoExit };
        return PidFdGetInfo(pidfd, PidFdGetInfoRequest, ref info) == 0 && (info.Mask & PidFdInfoExit) != 0 ? info.ExitCode : null;
    }

    /// <summary>Follows the processes of the name not followed yet; false when this kernel or sandbox has no pidfd.</summary>
    private bool Scan(Dictionary<int, int> followed)
    {
        foreach (var pid in _process.ProcessIds().Where(pid => !followed.ContainsKey(pid)))
        {
            var pidfd = (int)PidFdOpen(PidFdOpenCall, pid, 0);
            if (pidfd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == NoSuchProcess)
                {
                    continue;
                }

                if (errno is NotImplemented or NotPermitted)
                {
                    // No pidfd (a kernel before 5.3, a seccomp filter): the probes still see a crash, a round later.
                    _events.Publish(new MonitorSourceFailedEvent(_node, _clock.UtcNow, $"{_process.Name} exit watcher",
                        $"pidfd_open is not available ({Marshal.GetPInvokeErrorMessage(errno)}): a {_process.Name} exit is seen at the next probe round instead of at once."));
                    return false;
                }

                throw new InvalidOperationException($"pidfd_open({pid}) failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
            }

            // The pid may have been reused between the listing and the open: only a process of the name is followed.
            if (!_process.Runs(pid))
            {
                LibC.Close(pidfd);
                continue;
            }

            followed.Add(pid, pidfd);
            _exits.Watch(pid);
        }

        return true;
    }

    // _IOWR(PIDFS_IOCTL_MAGIC 0xFF, 11, struct pidfd_info) at its first published size, 64 bytes (PIDFD_INFO_SIZE_VER0):
    // the kernel reads the size from the request and fills in what fits.
    private const ulong PidFdGetInfoRequest = 0xC040FF0B;
    private const ulong PidFdInfoExit = 1UL << 3;

    /// <summary>struct pidfd_info up to exit_code, as include/uapi/linux/pidfd.h lays it out.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PidFdInfo
    {
        public ulong Mask;
        public ulong CgroupId;
        public uint Pid;
        public uint Tgid;
        public uint Ppid;
        public uint Ruid;
        public uint Rgid;
        public uint Euid;
        public uint Egid;
        public uint Suid;
        public uint Sgid;
        public uint Fsuid;
        public uint Fsgid;
        public int ExitCode;
    }

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int PidFdGetInfo(int descriptor, ulong request, ref PidFdInfo info);

    // syscall(2) is variadic; glibc's x86_64 and arm64 versions take every argument from the integer registers, and
    // pidfd_open is 434 on both.
    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long PidFdOpen(long number, int pid, uint flags);
}
