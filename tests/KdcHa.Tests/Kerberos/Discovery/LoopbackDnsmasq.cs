using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Tests.Kerberos.Discovery;

/// <summary>
/// A dnsmasq of the test's own on a random 127.0.0.x address and high port, answering only from the records it is
/// given (no resolv.conf, no hosts file, no upstream server, NXDOMAIN for any other name under its domain); killed on
/// dispose. Discovery tests point the engine at <see cref="EndPoint"/>, so they never query the host's resolver.
/// </summary>
internal sealed class LoopbackDnsmasq : IDisposable
{
    private readonly Process _process;

    public LoopbackDnsmasq(string domain, params string[] records)
    {
        EndPoint = new IPEndPoint(IPAddress.Parse($"127.0.0.{Random.Shared.Next(2, 255)}"), Random.Shared.Next(20000, 60000));
        var start = new ProcessStartInfo("dnsmasq") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new List<string>
                 {
                     "--keep-in-foreground", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=", "--user=root",
                     "--bind-interfaces", $"--listen-address={EndPoint.Address}", $"--port={EndPoint.Port}", "--log-facility=-",
                     $"--local=/{domain}/",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var record in records)
        {
            start.ArgumentList.Add(record);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("dnsmasq did not start.");
        // dnsmasq logs "started" once its sockets are bound, and exits at once when the address is taken.
        var started = new TaskCompletionSource();
        _process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("started, version", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        _process.BeginErrorReadLine();
        if (!started.Task.Wait(TimeSpan.FromSeconds(10)))
        {
            Dispose();
            throw new InvalidOperationException($"dnsmasq on {EndPoint} did not start within 10 s.");
        }
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>SIGSTOP: the server keeps its socket and answers nothing, as a hung DNS server does.</summary>
    public void Hang() => Signal("STOP");

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _process.Dispose();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {_process.Id}");
        kill.WaitForExit();
    }
}
