using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Monitor;

namespace KdcHa.Tests.Monitor;

/// <summary>
/// The KDC-port drop table (issue 20): its rules, and the nft child that owns it. Real nft runs in a network namespace
/// of its own (unshare -n), so no test touches this host's ruleset; the lab tests (StartKdcHaMonitor.KdcPortDrop)
/// prove it with krb5kdc and kinit.
/// </summary>
public class KdcPortDropTests
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(30);

    [Fact]
    public void DropsOnlyWhatNoSocketReceivesAndNeverLoopbackOrTheLocalKdcAddress()
    {
        var rules = KdcPortDropWatcher.Ruleset(88, IPAddress.Parse("198.18.0.11"));

        Assert.StartsWith("table inet kdcha_monitor { flags owner; ", rules, StringComparison.Ordinal);
        Assert.Contains("iif \"lo\" accept; ip daddr 198.18.0.11 accept; meta l4proto { tcp, udp } th dport 88 socket transparent { 0, 1 } accept; meta l4proto { tcp, udp } th dport 88 counter name \"dropped\" drop;", rules, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", 88, null)]
    [InlineData("2001:db8::11", 750, "ip6 daddr 2001:db8::11 accept; ")]
    public void ExemptsAnIPv6LocalKdcAndNoLoopback(string address, int port, string? exemption)
    {
        var rules = KdcPortDropWatcher.Ruleset(port, IPAddress.Parse(address));

        Assert.Contains($"th dport {port} counter", rules, StringComparison.Ordinal);
        if (exemption is null)
        {
            Assert.DoesNotContain("daddr", rules, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(exemption, rules, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithoutNftItSaysSoOnceAndTheMonitorGoesOn()
    {
        var events = new ListSink();
        var watcher = new KdcPortDropWatcher("kdc1", 88, null, events, new SystemMonitorClock(), Retry, "/nonexistent/nft");

        await watcher.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        var failure = Assert.IsType<MonitorSourceFailedEvent>(Assert.Single(events.Events));
        Assert.Equal("KDC port drop (nftables)", failure.Source);
        Assert.Contains("Cannot run /nonexistent/nft", failure.Error, StringComparison.Ordinal);
    }

    [LabFact("nft", "setpriv", Root = true)]
    public async Task NotRootItSaysWhatIsMissingOnceAndTheMonitorGoesOn()
    {
        using var directory = new TempDirectory();
        var nft = Wrapper(directory, "exec setpriv --reuid=65534 --regid=65534 --clear-groups nft \"$@\"");
        var events = new ListSink();
        var watcher = new KdcPortDropWatcher("kdc1", 88, null, events, new SystemMonitorClock(), Retry, nft);

        // It returns by itself: no retry can make it root.
        await watcher.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        var failure = Assert.IsType<MonitorSourceFailedEvent>(Assert.Single(events.Events));
        Assert.Contains("CAP_NET_ADMIN", failure.Error, StringComparison.Ordinal);
    }

    [LabFact("nft", "unshare", "nsenter", Root = true)]
    public async Task OwnsTheTableWhileItRunsAndTakesItAwayOnStop()
    {
        using var directory = new TempDirectory();
        var pidFile = directory.File("nft.pid");
        var nft = Wrapper(directory, $"echo $$ > {pidFile}; exec unshare -n nft \"$@\"");
        var events = new ListSink();
        var watcher = new KdcPortDropWatcher("kdc1", 88, IPAddress.Parse("198.18.0.11"), events, new SystemMonitorClock(), Retry, nft);
        using var stop = new CancellationTokenSource();

        var running = watcher.RunAsync(stop.Token);
        var pid = await WaitForPid(pidFile);
        var listed = await ListWhenLoaded(pid);
        stop.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(events.Events);
        Assert.Contains("flags owner", listed, StringComparison.Ordinal);
        Assert.Contains("counter name \"dropped\" drop", listed, StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/proc/{pid}/ns"), "nft (and with it its namespace and table) ended with the watcher");
    }

    private static string Wrapper(TempDirectory directory, string line)
    {
        var path = directory.File("nft");
        File.WriteAllText(path, "#!/bin/sh\n" + line + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return path;
    }

    private static async Task<int> WaitForPid(string pidFile)
    {
        for (var i = 0; i < 100; i++)
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            {
                return pid;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The nft wrapper never started.");
    }

    private static async Task<string> ListWhenLoaded(int pid)
    {
        var listed = string.Empty;
        for (var i = 0; i < 50 && !listed.Contains("drop", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
            using var nsenter = Process.Start(new ProcessStartInfo("nsenter", $"-t {pid} -n nft list table inet {KdcPortDropWatcher.TableName}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            listed = await nsenter.StandardOutput.ReadToEndAsync();
            await nsenter.WaitForExitAsync();
        }

        return listed;
    }
}
