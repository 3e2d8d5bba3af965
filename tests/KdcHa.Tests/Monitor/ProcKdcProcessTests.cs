using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using KdcHa.Monitor;

namespace KdcHa.Tests.Monitor;

// Real processes read through /proc: a copy of perl under a name no other process has, so the reader finds only it.
public sealed class ProcKdcProcessTests : IDisposable
{
    private readonly string _program;
    private Process? _process;

    public ProcKdcProcessTests()
    {
        var name = "kdcp" + Guid.NewGuid().ToString("N")[..8];
        _program = Path.Combine(Path.GetTempPath(), name);
        File.Copy("/usr/bin/perl", _program);
        File.SetUnixFileMode(_program, UnixFileMode.UserRead | UnixFileMode.UserExecute);
    }

    private string Name => Path.GetFileName(_program);

    [Fact]
    public void ASpinningProcessIsWaitingForACpuAndItsCpuTimeMoves()
    {
        Start("1 while 1");
        var reader = new ProcKdcProcess(Name);
        Thread.Sleep(100);

        var before = reader.Activity()!.Value;
        // Long enough for a spinner to get a CPU slice on a loaded machine.
        Thread.Sleep(300);
        var after = reader.Activity()!.Value;

        Assert.True(after.CpuTime > before.CpuTime);
        Assert.True(after.Waiting);
        Assert.True(after.WorkedSince(before));
    }

    [Fact]
    public void ASleepingProcessIsNotWaitingAndHasNotWorked()
    {
        Start("sleep 100");
        var reader = new ProcKdcProcess(Name);
        Thread.Sleep(100);

        var before = reader.Activity()!.Value;
        Thread.Sleep(100);
        var after = reader.Activity()!.Value;

        Assert.False(after.Waiting);
        Assert.False(after.WorkedSince(before));
    }

    [Fact]
    public void AStoppedSpinnerIsNotWaitingAndHasNotWorked()
    {
        Start("1 while 1");
        var reader = new ProcKdcProcess(Name);
        Thread.Sleep(100);
        Assert.Equal(0, Posix.Kill(_process!.Id, Posix.SignalStop));
        Thread.Sleep(50);

        var before = reader.Activity()!.Value;
        Thread.Sleep(100);
        var after = reader.Activity()!.Value;

        Assert.False(after.Waiting);
        Assert.Equal(before.CpuTime, after.CpuTime);
        Assert.False(after.WorkedSince(before));
    }

    [Fact]
    public void NoSuchProcessHasNoActivity()
    {
        Assert.Null(new ProcKdcProcess(Name).Activity());
        Assert.False(new ProcKdcProcess(Name).IsRunning());
    }

    private void Start(string script)
    {
        _process = Process.Start(new ProcessStartInfo(_program) { ArgumentList = { "-e", script } })!;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        File.Delete(_program);
    }

    private static class Posix
    {
        public const int SignalStop = 19;

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
