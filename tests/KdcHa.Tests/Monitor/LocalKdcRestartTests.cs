using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Configuration;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;
using KdcHa.Monitor;

using static KdcHa.Kerberos.Health.KdcHealthStatus;

namespace KdcHa.Tests.Monitor;

public class LocalKdcRestartTests
{
    [Fact]
    public void ARefusedProbeWhileTheKdcProcessRunsGetsOneSecondLookAndARestartMovesNothing()
    {
        var process = new FakeKdcProcess(running: true);
        var harness = new MonitorHarness(localProcess: process);
        harness.Prober.Add("local", Healthy, Refused, Healthy, Healthy);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        Assert.DoesNotContain(true, harness.Tracking.Writes);
        Assert.DoesNotContain(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Contains(TimeSpan.FromMilliseconds(100), harness.Clock.Delays);
    }

    [Fact]
    public void ARefusedProbeWithNoKdcProcessFaultsAtOnceAndNamesTheExit()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: false));
        harness.Prober.Add("local", Healthy, Refused);
        harness.Prober.Add("peer", Healthy, Healthy);

        harness.Run();

        var down = Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Equal("Process exit: no krb5kdc process runs in this network namespace: it exited.", down.Cause);
        Assert.Contains("Process exit", down.Message);
        var fault = Assert.Single(harness.Sink.Of<FaultChangedEvent>(), change => change.Fault);
        Assert.EndsWith(down.Cause, fault.Message);
        Assert.True(harness.Tracking.Writes.Last());
        Assert.DoesNotContain(TimeSpan.FromMilliseconds(100), harness.Clock.Delays);
    }

    [Fact]
    public async Task AProcessExitStartsTheNextRoundAtOnceAndTheFaultNamesIt()
    {
        // The interval never ends: only the exit can start the second round.
        var configuration = new MonitorConfiguration { Node = "node1", LocalKdc = "local", PeerKdc = new[] { "peer" }, Realm = "KDCHA.TEST" };
        var exits = new LocalKdcExits();
        var prober = new ScriptedProber();
        var sink = new ListSink();
        var status = new MemoryStatusStore();
        var monitor = new KdcHaMonitor(configuration, new[] { Kdc("local", true), Kdc("peer", false) }, prober, new FakeTracking(), status, new EndlessIntervalClock(), sink,
            processId: 42, localProcess: new FakeKdcProcess(running: false), exits: exits);
        prober.Monitor = monitor;
        prober.Add("local", Healthy, Refused);
        prober.Add("peer", Healthy, Healthy);
        exits.Watch(4242);
        var running = monitor.RunAsync(CancellationToken.None);
        Assert.True(SpinWait.SpinUntil(() => status.Written.Count >= 1, 5000));

        exits.Exited(new LocalKdcExit(4242, 9));

        var faulted = SpinWait.SpinUntil(() => { lock (sink.Events) { return sink.Of<FaultChangedEvent>().Any(change => change.Fault); } }, 5000);
        monitor.Stop("the test ended.");
        Assert.Same(running, await Task.WhenAny(running, Task.Delay(5000)));
        Assert.True(faulted, "the exit did not start a round");
        var down = Assert.Single(sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Equal("Process exit: krb5kdc (pid 4242) exited: killed by SIGKILL; no krb5kdc process runs in this network namespace.", down.Cause);
        Assert.Contains("Process exit: krb5kdc (pid 4242) exited: killed by SIGKILL", Assert.Single(sink.Of<FaultChangedEvent>(), change => change.Fault).Message);
    }

    [Fact]
    public void AnExitNotKnownToBeACrashGetsTheRestartGraceAndARestartMovesNothing()
    {
        // Followed, but the watcher's thread has not recorded how they exited: a restart's gap looks the same.
        var exits = new LocalKdcExits();
        exits.Watch(812);
        exits.Watch(813);
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: false), exits: exits);
        harness.Prober.Add("local", Healthy, Refused, Healthy, Healthy);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        Assert.DoesNotContain(true, harness.Tracking.Writes);
        Assert.Contains(TimeSpan.FromMilliseconds(100), harness.Clock.Delays);
        Assert.Contains("Process exit: krb5kdc (pid 812) exited, krb5kdc (pid 813) exited, not a crash", harness.Status.Written[1].Kdcs[0].LastMessage);
    }

    [Fact]
    public void ACleanStopWithNoProcessAfterTheGraceIsDownAndSaysSo()
    {
        var exits = new LocalKdcExits();
        exits.Watch(812);
        exits.Exited(new LocalKdcExit(812, 0));
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: false), exits: exits);
        harness.Prober.Add("local", Healthy, Refused, Refused);
        harness.Prober.Add("peer", Healthy, Healthy);

        harness.Run();

        var down = Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Equal("Process exit: krb5kdc (pid 812) exited with status 0, not a crash (a restart?); probed again after 100 ms.", down.Cause);
        Assert.True(harness.Tracking.Writes.Last());
    }

    [Theory]
    [InlineData(9, "krb5kdc (pid 7) exited: killed by SIGKILL", true)]
    [InlineData(11, "krb5kdc (pid 7) exited: killed by SIGSEGV", true)]
    [InlineData(0x86, "krb5kdc (pid 7) exited: killed by SIGABRT", true)]
    [InlineData(256, "krb5kdc (pid 7) exited with status 1", true)]
    [InlineData(0, "krb5kdc (pid 7) exited with status 0", false)]
    [InlineData(15, "krb5kdc (pid 7) exited: killed by SIGTERM", false)]
    [InlineData(null, "krb5kdc (pid 7) exited", false)]
    public void AnExitIsACrashWhenNoStopWasAskedFor(int? waitStatus, string description, bool crash)
    {
        var exit = new LocalKdcExit(7, waitStatus);

        Assert.Equal(description, exit.Describe("krb5kdc"));
        Assert.Equal(crash, exit.IsCrash);
    }

    [Fact]
    public void AHungKdcsFaultNamesNoProcessExit()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true), exits: new LocalKdcExits());
        harness.Prober.Add("local", Healthy, KdcHealthStatus.Timeout, KdcHealthStatus.Timeout);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        var fault = Assert.Single(harness.Sink.Of<FaultChangedEvent>(), change => change.Fault);
        Assert.DoesNotContain("exit", fault.Message);
    }

    private static MonitoredKdc Kdc(string name, bool isLocal) =>
        new(name, new KdcProbeRequest(new KdcEndpoint(name), "KDCHA.TEST", PrincipalName.Parse("kdcha-probe"), clientIsExpectedToExist: false), isLocal);

    /// <summary>Rounds come only when something cuts the interval short.</summary>
    private sealed class EndlessIntervalClock : IMonitorClock
    {
        public TimeSpan Elapsed => TimeSpan.Zero;

        public DateTime UtcNow => new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(-1, cancellationToken);
    }

    [Fact]
    public void AKdcStillRefusingAfterTheSecondLookIsDown()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true));
        harness.Prober.Add("local", Healthy, Refused, Refused);
        harness.Prober.Add("peer", Healthy, Healthy);

        harness.Run();

        var down = Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Contains("probed again after 100 ms", down.Cause);
        Assert.True(harness.Tracking.Writes.Last());
    }

    [Fact]
    public void NoGraceMakesEveryRefusedProbeFinalAtOnce()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true), restartGraceMilliseconds: 0);
        harness.Prober.Add("local", Healthy, Refused);
        harness.Prober.Add("peer", Healthy, Healthy);

        harness.Run();

        Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.True(harness.Tracking.Writes.Last());
    }
}
