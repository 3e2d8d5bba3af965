using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Monitor;

namespace KdcHa.Tests.Monitor;

/// <summary>The exit watcher's descriptors are counted in /proc/self/fd: nothing else may open any meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessDescriptorCollection
{
    public const string Name = "Process descriptors";
}

/// <summary>
/// The exit watcher against real processes: a copy of /bin/sleep under a name of its own stands for krb5kdc. /proc is
/// listed only every 5 s while a process is followed, so an exit seen within the bound was seen by its pidfd, not by
/// a later listing. Each runs under a shell that collects it only when the test ends, so its wait status stays
/// readable (this process would collect its own children at once, racing the watcher's read).
/// </summary>
[Collection(ProcessDescriptorCollection.Name)]
public sealed class LocalKdcExitWatcherTests : IDisposable
{
    private static readonly TimeSpan Seen = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SlowRescan = TimeSpan.FromSeconds(5);

    private readonly TempDirectory _directory = new();
    private readonly List<StandIn> _children = new();
    private readonly string _name = "kx" + Guid.NewGuid().ToString("N").Substring(0, 10);
    private readonly string _binary;
    private readonly LocalKdcExits _exits = new();
    private readonly ListSink _events = new();
    private readonly CancellationTokenSource _stop = new();

    public LocalKdcExitWatcherTests()
    {
        _binary = _directory.File(_name);
        File.Copy("/bin/sleep", _binary);
        File.SetUnixFileMode(_binary, UnixFileMode.UserRead | UnixFileMode.UserExecute);
    }

    [Fact]
    public async Task AKilledProcessIsSeenToExitAtOnce()
    {
        var child = Start();
        var watching = Watch(rescanInterval: SlowRescan);
        WaitUntil(() => _exits.Watched().Contains(child.Id));
        var exited = _exits.NextExit();

        var clock = Stopwatch.StartNew();
        child.Kill();

        Assert.True(await Within(exited, Seen), $"the exit was not signalled within {Seen.TotalMilliseconds} ms");
        Assert.True(clock.Elapsed < Seen, $"seen after {clock.Elapsed.TotalMilliseconds:0} ms");
        var exit = Assert.Single(_exits.Gone());
        Assert.Equal(child.Id, exit.ProcessId);
        Assert.Equal(9, exit.Signal);
        Assert.True(exit.IsCrash);
        Assert.Empty(_exits.Watched());
        Assert.False(watching.IsCompleted);
        Assert.Empty(_events.Events);
    }

    [Fact]
    public void AKilledProcessItsParentCollectedStillTellsItsSignalThroughItsPidfd()
    {
        var child = Start();
        var pidfd = (int)PidFdOpen(434, child.Id, 0);
        Assert.True(pidfd >= 0, "pidfd_open failed");
        try
        {
            child.Kill();
            // The stand-in's shell collects it: its zombie, and with it the status /proc shows, is gone.
            child.Dispose();
            _children.Remove(child);
            Assert.False(Directory.Exists($"/proc/{child.Id}"));
            Assert.Null(LocalKdcExitWatcher.WaitStatus(child.Id));

            Assert.Equal(9, LocalKdcExitWatcher.ReapedWaitStatus(pidfd) & 0x7f);
        }
        finally
        {
            Close(pidfd);
        }
    }

    [Fact]
    public async Task ARestartedProcessIsFollowedAgainAndItsExitSeenAtOnce()
    {
        var first = Start();
        _ = Watch(rescanInterval: TimeSpan.FromMilliseconds(100));
        WaitUntil(() => _exits.Watched().Contains(first.Id));
        var firstExit = _exits.NextExit();
        first.Kill();
        Assert.True(await Within(firstExit, Seen));

        var second = Start();
        WaitUntil(() => _exits.Watched().Contains(second.Id));
        Assert.Equal(new[] { second.Id }, _exits.Gone().Select(exit => exit.ProcessId));
        var secondExit = _exits.NextExit();
        var clock = Stopwatch.StartNew();
        second.Kill();

        Assert.True(await Within(secondExit, Seen), $"the new process's exit was not signalled within {Seen.TotalMilliseconds} ms");
        Assert.True(clock.Elapsed < Seen);
        Assert.Equal(new[] { second.Id }, _exits.Gone().Select(exit => exit.ProcessId));
    }

    [Fact]
    public async Task EveryProcessOfTheNameIsFollowed()
    {
        var supervisor = Start();
        var worker = Start();
        _ = Watch(rescanInterval: SlowRescan);
        WaitUntil(() => _exits.Watched().Count == 2);
        var exited = _exits.NextExit();

        worker.Kill();

        Assert.True(await Within(exited, Seen));
        Assert.Equal(new[] { supervisor.Id }, _exits.Watched());
        var next = _exits.NextExit();
        supervisor.Kill();
        Assert.True(await Within(next, Seen));
        Assert.Equal(new[] { supervisor.Id, worker.Id }.Order(), _exits.Gone().Select(exit => exit.ProcessId));
    }

    [Fact]
    public async Task OtherProcessesAreNotFollowed()
    {
        using var other = Process.Start(new ProcessStartInfo("/bin/sleep", "60"))!;
        var watching = Watch(rescanInterval: TimeSpan.FromMilliseconds(50));

        Thread.Sleep(300);
        other.Kill();

        Assert.Empty(_exits.Watched());
        Assert.False(await Within(_exits.NextExit(), TimeSpan.FromMilliseconds(200)));
        Assert.False(watching.IsCompleted);
    }

    [Fact]
    public async Task StoppingLeavesNoThreadAndNoDescriptor()
    {
        var child = Start();
        var before = Descriptors();
        var watching = Watch(rescanInterval: SlowRescan);
        WaitUntil(() => _exits.Watched().Contains(child.Id));
        Assert.Equal(before.PidFds + 1, Descriptors().PidFds);
        Assert.True(WatcherThreads() > 0);

        _stop.Cancel();

        Assert.True(await Within(watching, TimeSpan.FromSeconds(2)), "the watcher did not stop");
        WaitUntil(() => WatcherThreads() == 0);
        Assert.Equal(before, Descriptors());
        Assert.Empty(_exits.Watched());
        Assert.Empty(_exits.Gone());
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var child in _children)
        {
            child.Dispose();
        }

        _stop.Dispose();
        _directory.Dispose();
    }

    private StandIn Start()
    {
        var child = new StandIn(_binary);
        _children.Add(child);
        return child;
    }

    private Task Watch(TimeSpan rescanInterval) =>
        new LocalKdcExitWatcher("node1", new ProcKdcProcess(_name), _exits, _events, new FakeClock(), rescanInterval, SlowRescan).RunAsync(_stop.Token);

    private static async Task<bool> Within(Task task, TimeSpan bound) => await Task.WhenAny(task, Task.Delay(bound)) == task;

    private static void WaitUntil(Func<bool> condition) =>
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(5)), "the condition did not hold within 5 s");

    private static (int PidFds, int EventFds) Descriptors()
    {
        var targets = Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(entry => { try { return new FileInfo(entry).LinkTarget; } catch (IOException) { return null; } })
            .ToArray();
        return (targets.Count(target => target == "anon_inode:[pidfd]"), targets.Count(target => target == "anon_inode:[eventfd]"));
    }

    // Thread names show in /proc as their first 15 bytes: the process name begins them.
    private int WatcherThreads() => Directory.EnumerateDirectories("/proc/self/task")
        .Count(task => { try { return File.ReadAllText(Path.Combine(task, "comm")).StartsWith(_name, StringComparison.Ordinal); } catch (IOException) { return false; } });

    /// <summary>The binary run by a shell that collects it only once the test closes the shell's input.</summary>
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long PidFdOpen(long number, int pid, uint flags);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int descriptor);

    private sealed class StandIn : IDisposable
    {
        private readonly Process _shell;

        public StandIn(string binary)
        {
            var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "-c", "\"$0\" 60 & echo $!; read line; wait", binary })
            {
                start.ArgumentList.Add(argument);
            }

            _shell = Process.Start(start)!;
            Id = int.Parse(_shell.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);

            // $! is known once the shell forked: wait for the exec, or a listing in between would not see the name.
            WaitUntil(() => Comm() == Path.GetFileName(binary));
        }

        public int Id { get; }

        private string? Comm()
        {
            try
            {
                return File.ReadAllText($"/proc/{Id}/comm").TrimEnd();
            }
            catch (IOException)
            {
                return null;
            }
        }

        public void Kill()
        {
            using var process = Process.GetProcessById(Id);
            process.Kill();
        }

        public void Dispose()
        {
            try
            {
                Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Exited already.
            }

            _shell.StandardInput.Close();
            _shell.WaitForExit(5000);
            _shell.Dispose();
        }
    }
}
