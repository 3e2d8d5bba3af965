using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Configuration;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;
using KdcHa.Monitor;

namespace KdcHa.Tests.Monitor;

public class MonitorSurvivalTests
{
    private const int Rounds = 600;

    [Fact]
    public async Task AThrowingProbeAndAThrowingWatcherLeaveTheMonitorRunningWithAFreshHeartbeat()
    {
        var watcher = new ThrowingWatcher(failures: 2);
        var run = new SurvivalRun(watcher, new MemoryStatusStore());
        run.Prober.WaitFor = () => watcher.Calls > watcher.Failures;

        await run.Monitor.RunAsync(CancellationToken.None);

        var status = run.Status.Written.Last(written => written.RunState == MonitorRunState.Running);
        Assert.Equal(Rounds, status.Rounds);
        Assert.Equal(Rounds, run.Tracking.Heartbeats);
        Assert.Equal(Rounds, run.Status.Written.Count(written => written.RunState == MonitorRunState.Running));
        Assert.Equal("the test's rounds are done.", run.Status.Written.Last().Reason);
        var peer = status.Kdcs.Single(kdc => !kdc.IsLocal);
        Assert.Equal((KdcHealthState.Down, "ProtocolError"), (peer.Health, peer.LastProbeStatus));
        Assert.Equal(KdcHealthState.Up, status.Kdcs.Single(kdc => kdc.IsLocal).Health);

        // Reported, but not once per round: the first failure, then at most one a minute counting the rest.
        var probeFailures = run.Sink.Of<MonitorSourceFailedEvent>().Where(e => e.Source == "probe of peer").ToArray();
        var minutes = (int)(run.Clock.Elapsed.TotalMinutes + 1);
        Assert.InRange(probeFailures.Length, 2, minutes + 1);
        Assert.Contains("needs a 16-byte key, got 32", probeFailures[0].Error);
        Assert.Contains("more failures since", probeFailures[1].Error);
        Assert.Contains(run.Sink.Of<MonitorSourceFailedEvent>(), e => e.Source == "watcher ThrowingWatcher" && e.Error.Contains("watcher broke"));
        Assert.Equal(watcher.Failures + 1, watcher.Calls);
    }

    [Fact]
    public async Task AStatusStoreThatThrowsStopsNeitherTheRoundsNorTheHeartbeat()
    {
        var run = new SurvivalRun(new ThrowingWatcher(failures: 0), new ThrowingStatusStore());

        await run.Monitor.RunAsync(CancellationToken.None);

        Assert.Equal(Rounds, run.Tracking.Heartbeats);
        var statusFailures = run.Sink.Of<MonitorSourceFailedEvent>().Where(e => e.Source == "status file").ToArray();
        Assert.InRange(statusFailures.Length, 1, (int)(run.Clock.Elapsed.TotalMinutes + 2));
        Assert.Contains("disk full", statusFailures[0].Error);
    }

    private sealed class SurvivalRun
    {
        public SurvivalRun(IMonitorWatcher watcher, IMonitorStatusStore status)
        {
            var configuration = new MonitorConfiguration { Node = "node1", LocalKdc = "local", PeerKdc = new[] { "peer" }, Realm = "KDCHA.TEST" };
            Status = status as MemoryStatusStore ?? new MemoryStatusStore();
            Monitor = new KdcHaMonitor(configuration, new[] { Kdc("local", true), Kdc("peer", false) }, Prober, Tracking, status, Clock, Sink, processId: 42, new[] { watcher });
            Prober.Monitor = Monitor;
        }

        public KdcHaMonitor Monitor { get; }

        public PeerThrowsProber Prober { get; } = new();

        public FakeTracking Tracking { get; } = new();

        public MemoryStatusStore Status { get; }

        public FakeClock Clock { get; } = new();

        public ListSink Sink { get; } = new();

        private static MonitoredKdc Kdc(string name, bool isLocal) =>
            new(name, new KdcProbeRequest(new KdcEndpoint(name), "KDCHA.TEST", PrincipalName.Parse("kdcha-probe"), clientIsExpectedToExist: false), isLocal);
    }

    /// <summary>The local KDC answers; probing the peer throws, as a reply with the wrong encryption type once did.</summary>
    private sealed class PeerThrowsProber : IKdcProber
    {
        private int _localProbes;

        public KdcHaMonitor? Monitor { get; set; }

        public Func<bool>? WaitFor { get; set; }

        public Task<KdcHealthResult> ProbeAsync(KdcProbeRequest request, CancellationToken cancellationToken)
        {
            if (WaitFor is { } condition)
            {
                SpinWait.SpinUntil(condition, 5000);
            }

            if (request.Endpoint.Host == "peer")
            {
                throw new ArgumentException("needs a 16-byte key, got 32");
            }

            if (++_localProbes > Rounds)
            {
                Monitor!.Stop("the test's rounds are done.");
                cancellationToken.ThrowIfCancellationRequested();
            }

            return Task.FromResult(new KdcHealthResult { Kdc = "local", Verdict = KdcHealthStatus.Healthy, RoundTripMilliseconds = 1 });
        }
    }

    private sealed class ThrowingWatcher : IMonitorWatcher
    {
        private int _calls;

        public ThrowingWatcher(int failures)
        {
            Failures = failures;
        }

        public int Failures { get; }

        public int Calls => Volatile.Read(ref _calls);

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) <= Failures)
            {
                throw new InvalidOperationException("watcher broke");
            }

            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class ThrowingStatusStore : IMonitorStatusStore
    {
        public void Write(MonitorStatus status) => throw new System.IO.IOException("disk full");
    }
}
