using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Configuration;
using KdcHa.Keepalived;
using KdcHa.Kerberos.Health;

namespace KdcHa.Monitor;

/// <summary>
/// One node's failover monitor: probes the local and the peer KDCs every interval, applies hysteresis, and drives
/// keepalived through track files (FAULT when the local KDC is down and a peer is up; a heartbeat proving the monitor
/// itself is alive). Events go to the sinks; the status goes to the store after every round. Watchers (the notify
/// FIFO, the VRRP wire) run beside the probe loop on their own tasks, so a slow source never delays a probe; the exit
/// watcher of the local KDC's process starts the next round at once (<see cref="LocalKdcExits"/>), so a crash is not
/// left waiting for the interval.
/// </summary>
public sealed class KdcHaMonitor
{
    private readonly MonitorConfiguration _configuration;
    private readonly IReadOnlyList<MonitoredKdc> _kdcs;
    private readonly IKdcProber _prober;
    private readonly IKeepalivedTracking _tracking;
    private readonly IMonitorStatusStore _statusStore;
    private readonly IMonitorClock _clock;
    private readonly IMonitorEventSink _events;
    private readonly IReadOnlyList<IMonitorWatcher> _watchers;
    private readonly VrrpObservations? _vrrp;
    private readonly ILocalKdcProcess? _localProcess;
    private readonly LocalKdcExits? _exits;
    private readonly HaproxyFrontends? _frontends;
    private readonly HealthHysteresis[] _health;
    private readonly KdcStatus[] _kdcStatus;

    // The longer deadline a busy local KDC gets; null when busy KDCs get no extra probe.
    private readonly TimeSpan? _busyTimeout;
    // The local KDC's adaptive probe deadline; null when it does not adapt (no busy check to catch a late answer).
    private readonly LocalKdcDeadline? _localDeadline;
    private static readonly TimeSpan WatcherStopGrace = TimeSpan.FromSeconds(2);

    // A watcher that threw is started again after this long: soon enough to see the next VRRP change, slow enough
    // that a watcher failing at once does not spin.
    private static readonly TimeSpan WatcherRestartDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly int _processId;
    private readonly PartFailures _failures;
    private string _stopReason = "the monitor was cancelled.";
    private FailoverDecision? _decision;
    private DateTime? _faultSince;
    private DateTime _started;
    private long _rounds;

    // Why the local KDC went down, beyond its probe (a process exit, a busy KDC's longer deadline), for the FAULT reason.
    private string? _localDownCause;

    public KdcHaMonitor(
        MonitorConfiguration configuration,
        IReadOnlyList<MonitoredKdc> kdcs,
        IKdcProber prober,
        IKeepalivedTracking tracking,
        IMonitorStatusStore statusStore,
        IMonitorClock clock,
        IMonitorEventSink events,
        int processId,
        IReadOnlyList<IMonitorWatcher>? watchers = null,
        VrrpObservations? vrrp = null,
        ILocalKdcProcess? localProcess = null,
        LocalKdcExits? exits = null,
        HaproxyFrontends? frontends = null)
    {
        _configuration = configuration ?? throw new ArgumentNullException(nameof(configuration));
        _kdcs = kdcs ?? throw new ArgumentNullException(nameof(kdcs));
        if (kdcs.Count(kdc => kdc.IsLocal) != 1)
        {
            throw new ArgumentException("Exactly one monitored KDC must be the local one.", nameof(kdcs));
        }

        _prober = prober ?? throw new ArgumentNullException(nameof(prober));
        _tracking = tracking ?? throw new ArgumentNullException(nameof(tracking));
        _statusStore = statusStore ?? throw new ArgumentNullException(nameof(statusStore));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _processId = processId;
        _watchers = watchers ?? Array.Empty<IMonitorWatcher>();
        _vrrp = vrrp;
        _localProcess = localProcess;
        _exits = exits;
        _frontends = frontends;
        _health = kdcs.Select(_ => new HealthHysteresis(configuration.Fall, configuration.Rise)).ToArray();
        _kdcStatus = kdcs.Select(kdc => new KdcStatus { Kdc = kdc.Name, IsLocal = kdc.IsLocal, Health = KdcHealthState.Unknown }).ToArray();
        _failures = new PartFailures(configuration.Node, clock, events);
        _busyTimeout = localProcess is null || configuration.BusyTimeoutMilliseconds == 0
            ? null
            : TimeSpan.FromMilliseconds(configuration.BusyTimeoutMilliseconds);
        _localDeadline = _busyTimeout is null || configuration.MinimumTimeoutMilliseconds >= configuration.TimeoutMilliseconds
            ? null
            : new LocalKdcDeadline(TimeSpan.FromMilliseconds(configuration.MinimumTimeoutMilliseconds), TimeSpan.FromMilliseconds(configuration.TimeoutMilliseconds));
    }

    /// <summary>Ends <see cref="RunAsync"/> after the current round; the reason is logged and kept in the status.</summary>
    public void Stop(string reason)
    {
        _stopReason = reason;
        _stop.Cancel();
    }

    /// <summary>Runs until <see cref="Stop"/> or <paramref name="cancellationToken"/>; leaves the track files safe.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = linked.Token;
        _started = _clock.UtcNow;
        var local = Array.FindIndex(_kdcs.ToArray(), kdc => kdc.IsLocal);

        // A fault flag left by a previous run means the local KDC was down then: it must earn re-admission with
        // `rise` good probes like any other down KDC, instead of being trusted on its first answer.
        if (_tracking.ReadFault())
        {
            _health[local] = new HealthHysteresis(_configuration.Fall, _configuration.Rise, KdcHealthState.Down);
            _kdcStatus[local].Health = KdcHealthState.Down;
        }

        _events.Publish(new MonitorStartedEvent(_configuration.Node, _started, _processId, _kdcs.Select(kdc => kdc.Name).ToArray(), _configuration.IntervalMilliseconds));
        var interval = TimeSpan.FromMilliseconds(_configuration.IntervalMilliseconds);
        var watching = _watchers.Select(watcher => Task.Run(() => WatchAsync(watcher, token))).ToArray();
        try
        {
            while (!token.IsCancellationRequested)
            {
                var roundStart = _clock.Elapsed;

                // Armed before the round: an exit during it starts the next one at once.
                var exited = _exits?.NextExit();
                try
                {
                    await RunRoundAsync(local, token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    // The monitor's last line: whatever a part throws is an event, and the next round comes. A
                    // monitor that stopped would demote this node, and every node probing the same bad peer alike.
                    _failures.Report("monitor round", e);
                }

                // An unconfirmed failure is re-probed at once: confirmation must not cost a whole interval.
                if (!_health.Any(health => health.AwaitingConfirmation) && _frontends?.AwaitingConfirmation != true)
                {
                    await WaitForNextRoundAsync(interval - (_clock.Elapsed - roundStart), exited, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stop or cancellation: the normal way out.
        }
        finally
        {
            StopWatchers(linked, watching);
            Shutdown();
        }
    }

    /// <summary>The interval's rest, cut short when the local KDC's process exits: its crash is probed at once.</summary>
    private async Task WaitForNextRoundAsync(TimeSpan delay, Task? exited, CancellationToken token)
    {
        if (exited is null)
        {
            await _clock.DelayAsync(delay, token).ConfigureAwait(false);
            return;
        }

        if (!exited.IsCompleted)
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(token);
            var delayed = _clock.DelayAsync(delay, waiting.Token);
            await Task.WhenAny(delayed, exited).ConfigureAwait(false);

            // The delay's timer goes with its token; its cancellation is no failure.
            waiting.Cancel();
        }

        token.ThrowIfCancellationRequested();
    }

    private static void StopWatchers(CancellationTokenSource linked, Task[] watching)
    {
        // Their events must come before MonitorStopped; a watcher that does not end in time is left behind rather
        // than holding up the track files' shutdown.
        linked.Cancel();
        try
        {
            Task.WaitAll(watching, WatcherStopGrace);
        }
        catch (AggregateException)
        {
            // Watchers report their own failures; cancellation is how they end.
        }
    }

    private async Task WatchAsync(IMonitorWatcher watcher, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                await watcher.RunAsync(token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _failures.Report($"watcher {watcher.GetType().Name}", e);
            }

            try
            {
                await _clock.DelayAsync(WatcherRestartDelay, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<KdcHealthResult> ProbeAsync(MonitoredKdc kdc, KdcProbeRequest request, CancellationToken token)
    {
        try
        {
            return await _prober.ProbeAsync(request, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
        {
            // A reply the probe could not judge is that KDC's failed probe: hysteresis decides, not a crash.
            _failures.Report($"probe of {kdc.Name}", e);
            return new KdcHealthResult { Kdc = kdc.Name, Verdict = KdcHealthStatus.ProtocolError, Message = $"the probe failed: {e.Message}" };
        }
    }

    /// <summary>
    /// The request for this round: Authenticated when the KDC's keys are due to be proven again (never yet, longer
    /// ago than <see cref="MonitorConfiguration.AuthenticatedIntervalMilliseconds"/>, or the last attempt failed, so
    /// a key mismatch is confirmed on the next round like any failure), else the same principal at Reachable.
    /// </summary>
    private KdcProbeRequest RequestFor(int index, DateTime now)
    {
        var kdc = _kdcs[index];
        var interval = _configuration.AuthenticatedIntervalMilliseconds;
        var proven = _kdcStatus[index].LastAuthenticated;
        var due = kdc.Request.Level != KdcProbeLevel.Authenticated || interval == 0 || proven is null
            || now - proven.Value >= TimeSpan.FromMilliseconds(interval);
        var request = due ? kdc.Request : kdc.ReachableRequest;
        return kdc.IsLocal && _localDeadline is { } deadline ? request.WithTimeout(deadline.Current) : request;
    }

    /// <summary>
    /// A refused probe of the local KDC is a crash or a restart. With the process watched: no process means it exited,
    /// and the KDC is down at once; a process that exists (the old one closing, or the new one not yet listening, as in
    /// a systemd restart) earns one second look after <see cref="MonitorConfiguration.RestartGraceMilliseconds"/>. So
    /// does an exit the exit watcher saw that was a stop (status 0, SIGTERM) or of unknown kind: the watcher wakes the
    /// monitor in the instant between a restart's old process and its new one. An exit it knows to be a crash
    /// (SIGKILL, SIGSEGV, a failure status) is down at once.
    /// </summary>
    private async Task<ProbeOutcome> ProbeWithCauseAsync(MonitoredKdc kdc, KdcProbeRequest request, bool confirming, CancellationToken token)
    {
        var watched = kdc.IsLocal && _localProcess is not null;
        var before = watched && confirming && _busyTimeout is not null ? LocalActivity() : null;
        var result = await ProbeAsync(kdc, request, token).ConfigureAwait(false);
        if (before is not null && result.Verdict == KdcHealthStatus.Timeout && LocalActivity() is { } after && after.WorkedSince(before.Value))
        {
            return await ProbeBusyAsync(kdc, request.WithTimeout(_busyTimeout!.Value), token).ConfigureAwait(false);
        }

        if (!watched || result.Verdict != KdcHealthStatus.Refused)
        {
            return new ProbeOutcome(request, result, null);
        }

        bool running;
        try
        {
            running = _localProcess!.IsRunning();
        }
        catch (Exception e)
        {
            _failures.Report("local KDC process", e);
            return new ProbeOutcome(request, result, null);
        }

        var grace = _configuration.RestartGraceMilliseconds;
        var name = _localProcess.Name;
        if (!running)
        {
            // The exit watcher names the exit; without it (or before it followed a process) /proc alone tells.
            var gone = _exits?.Gone() ?? Array.Empty<LocalKdcExit>();
            if (gone.Count == 0)
            {
                return new ProbeOutcome(request, result, $"Process exit: no {name} process runs in this network namespace: it exited.");
            }

            var exit = LocalKdcExits.Describe(name, gone);
            if (grace == 0 || gone.All(e => e.IsCrash))
            {
                return new ProbeOutcome(request, result, $"Process exit: {exit}; no {name} process runs in this network namespace.");
            }

            // A stop, or an exit not known to be a crash, seen at once: a restart's next process may not have started yet.
            await _clock.DelayAsync(TimeSpan.FromMilliseconds(grace), token).ConfigureAwait(false);
            return new ProbeOutcome(request, await ProbeAsync(kdc, request, token).ConfigureAwait(false),
                $"Process exit: {exit}, not a crash (a restart?); probed again after {grace} ms.");
        }

        if (grace == 0)
        {
            return new ProbeOutcome(request, result, $"{name} runs but does not listen.");
        }

        await _clock.DelayAsync(TimeSpan.FromMilliseconds(grace), token).ConfigureAwait(false);
        return new ProbeOutcome(request, await ProbeAsync(kdc, request, token).ConfigureAwait(false),
            $"{name} ran but did not listen (a restart?); probed again after {grace} ms.");
    }

    /// <summary>
    /// The local KDC's processes used or waited for CPU while the probe that would confirm its failure timed out: it is
    /// busy (a login storm, a backup, a CPU quota), not hung, and gets one more probe with <see cref="MonitorConfiguration.BusyTimeoutMilliseconds"/>
    /// to answer. Handing a busy KDC's VIP to the idle peer would only hand the peer the storm; a hung KDC uses no
    /// CPU and fails over as fast as before, and one busy without answering still fails after the longer deadline.
    /// </summary>
    private async Task<ProbeOutcome> ProbeBusyAsync(MonitoredKdc kdc, KdcProbeRequest request, CancellationToken token)
    {
        // Waiting on a busy KDC is not a stalled monitor: the heartbeat says so before the longer wait.
        _failures.Guard("heartbeat file", _tracking.Heartbeat);
        var result = await ProbeAsync(kdc, request, token).ConfigureAwait(false);
        var deadline = _configuration.BusyTimeoutMilliseconds;
        return new ProbeOutcome(request, result, result.Verdict == KdcHealthStatus.Healthy
            ? $"{_localProcess!.Name} was busy, not hung: it used or waited for CPU while a probe timed out, and answered within {deadline} ms."
            : $"{_localProcess!.Name} was busy (it used or waited for CPU while a probe timed out) but did not answer within {deadline} ms either.");
    }

    private LocalKdcActivity? LocalActivity()
    {
        try
        {
            return _localProcess!.Activity();
        }
        catch (Exception e)
        {
            _failures.Report("local KDC process", e);
            return null;
        }
    }

    private async Task RunRoundAsync(int local, CancellationToken token)
    {
        // Only a probe that would confirm a failure asks whether the local KDC is busy: a first timeout is not yet a
        // verdict, and reading /proc on every round would cost the idle monitor CPU for nothing.
        var confirming = _health[local].AwaitingConfirmation;
        var started = _clock.UtcNow;
        var probing = Task.WhenAll(_kdcs.Select((kdc, i) => ProbeWithCauseAsync(kdc, RequestFor(i, started), kdc.IsLocal && confirming, token)));
        var frontends = Task.WhenAll((_frontends?.Paths ?? Array.Empty<MonitoredKdc>()).Select(path => ProbeAsync(path, path.ReachableRequest, token)));
        var probed = await probing.ConfigureAwait(false);
        var frontendResults = await frontends.ConfigureAwait(false);
        var now = _clock.UtcNow;
        _rounds++;
        try
        {
            Decide(local, probed, frontendResults, now);
        }
        finally
        {
            // Fresh while the loop runs, whatever failed in the round: the heartbeat says the monitor is alive.
            _failures.Guard("heartbeat file", _tracking.Heartbeat);
            _failures.Guard("status file", () => _statusStore.Write(Snapshot(MonitorRunState.Running, _decision?.Reason ?? "starting", now)));
        }
    }

    private void Decide(int local, ProbeOutcome[] probed, KdcHealthResult[] frontendResults, DateTime now)
    {
        for (var i = 0; i < probed.Length; i++)
        {
            Observe(i, probed[i], now);
        }

        foreach (var (path, previous, current, result) in _frontends?.Observe(frontendResults, now) ?? Array.Empty<(MonitoredKdc, KdcHealthState, KdcHealthState, KdcHealthResult)>())
        {
            _events.Publish(new HealthChangedEvent(_configuration.Node, now, path.Name, path.IsLocal, previous, current, result, null));
        }

        // A peer is trusted as up only if it answered in this very round. Its hysteresis still says Up for a few
        // rounds after it stops answering, and when every KDC hangs at once (a shared database outage) handing the
        // VIP to a peer that has just hung too would move it for nothing.
        var peers = _health.Where((_, i) => i != local)
            .Select(health => health.AwaitingConfirmation ? KdcHealthState.Unknown : health.State)
            .ToArray();
        var decision = FailoverPolicy.Decide(_health[local].State, peers, _decision?.Fault ?? false);
        if (decision.Fault && _localDownCause is not null)
        {
            decision = decision with { Reason = $"{decision.Reason} {_localDownCause}" };
        }

        decision = _frontends?.Decide(decision) ?? decision;
        if (_decision is null || decision.Fault != _decision.Fault)
        {
            _tracking.WriteFault(decision.Fault);
            _faultSince = decision.Fault ? now : null;
            _events.Publish(new FaultChangedEvent(_configuration.Node, now, decision.Fault, decision.Reason));
        }

        if (decision.AllKdcsDown != (_decision?.AllKdcsDown ?? false))
        {
            // The event says itself that every KDC is down and the VIP stays: what it adds is the likely shared cause.
            var reason = decision.AllKdcsDown
                ? SharedFailure.Describe(probed.Select(outcome => outcome.Result.Verdict).ToArray())
                : decision.Reason;
            _events.Publish(new AllKdcsDownEvent(_configuration.Node, now, resolved: !decision.AllKdcsDown, reason));
        }

        _decision = decision;
    }

    private void Observe(int index, ProbeOutcome outcome, DateTime now)
    {
        var (request, result, cause) = outcome;
        var health = _health[index];
        var previous = health.State;
        var status = _kdcStatus[index];
        var changed = health.Observe(result.Verdict);
        if (_kdcs[index].IsLocal && previous == KdcHealthState.Up)
        {
            // Only a settled KDC's answers: the first ones after a hang clear its backlog and say nothing of its pace.
            _localDeadline?.Observe(result);
        }

        status.LastProbeStatus = result.Status;
        status.LastRoundTripMilliseconds = result.RoundTripMilliseconds;
        status.LastProbe = now;
        status.LastMessage = cause is null ? result.Message : $"{result.Message} {cause}";
        status.ConsecutiveFailures = health.ConsecutiveFailures;
        if (request.Level == KdcProbeLevel.Authenticated && result.Verdict == KdcHealthStatus.Healthy)
        {
            status.LastAuthenticated = now;
        }
        if (changed)
        {
            if (_kdcs[index].IsLocal)
            {
                _localDownCause = health.State == KdcHealthState.Down ? cause : null;
            }

            status.Health = health.State;
            status.StateSince = now;
            _events.Publish(new HealthChangedEvent(_configuration.Node, now, _kdcs[index].Name, _kdcs[index].IsLocal, previous, health.State, result, cause));
        }
    }

    private void Shutdown()
    {
        // The fault flag keeps its last decided value: set only while the local KDC is down and a peer is up, which
        // stays the right role for this node when nobody supervises it. The heartbeat goes, so keepalived lowers
        // this node's priority and a node whose monitor is alive takes the VIP; if no monitor is alive anywhere,
        // every node loses the same weight and the VIP stays where it is.
        var fault = _decision?.Fault ?? _tracking.ReadFault();
        _failures.Guard("heartbeat file", _tracking.StopHeartbeat);
        var now = _clock.UtcNow;
        _failures.Guard("status file", () => _statusStore.Write(Snapshot(MonitorRunState.Stopped, _stopReason, now)));
        _events.Publish(new MonitorStoppedEvent(_configuration.Node, now, _stopReason, fault));
    }

    private MonitorStatus Snapshot(MonitorRunState state, string reason, DateTime now) => new()
    {
        Node = _configuration.Node,
        ProcessId = _processId,
        RunState = state,
        Started = _started,
        Updated = now,
        IntervalMilliseconds = _configuration.IntervalMilliseconds,
        Fault = _decision?.Fault ?? false,
        FaultSince = _faultSince,
        AllKdcsDown = _decision?.AllKdcsDown ?? false,
        Reason = reason,
        Rounds = _rounds,
        Kdcs = _kdcStatus.Select(status => status.Copy()).ToList(),
        Vrrp = _vrrp?.Instances() ?? new List<VrrpInstanceStatus>(),
        SplitBrains = _vrrp?.SplitBrains() ?? new List<SplitBrainStatus>(),
        Frontends = _frontends?.Snapshot(),
    };
}

/// <summary>One KDC the monitor probes: the node's own, or a peer's (peers are probed to know a failover has a target).</summary>
public sealed class MonitoredKdc
{
    public MonitoredKdc(string name, KdcProbeRequest request, bool isLocal)
    {
        Name = string.IsNullOrEmpty(name) ? throw new ArgumentException("A KDC name is required.", nameof(name)) : name;
        Request = request ?? throw new ArgumentNullException(nameof(request));
        ReachableRequest = request.Level == KdcProbeLevel.Reachable ? request : request.WithLevel(KdcProbeLevel.Reachable);
        IsLocal = isLocal;
    }

    public string Name { get; }

    /// <summary>The probe as configured; when it is Authenticated the monitor sends it only as often as keys need proving.</summary>
    public KdcProbeRequest Request { get; }

    /// <summary>The same principal at Reachable: proves the KDC answers from its database without a database write.</summary>
    public KdcProbeRequest ReachableRequest { get; }

    public bool IsLocal { get; }
}

/// <summary>One KDC's probe in a round: the request sent, the result, and what the monitor learned about its cause.</summary>
internal sealed record ProbeOutcome(KdcProbeRequest Request, KdcHealthResult Result, string? Cause);

/// <summary>Probes one KDC once; a down KDC is a result, never an exception.</summary>
public interface IKdcProber
{
    Task<KdcHealthResult> ProbeAsync(KdcProbeRequest request, CancellationToken cancellationToken);
}

/// <summary>The monitor's prober in production: the same AS-exchange probe as Test-KdcHealth.</summary>
public sealed class KdcHealthProber : IKdcProber
{
    private readonly KdcHealthProbe _probe;

    public KdcHealthProber(KdcHealthProbe probe)
    {
        _probe = probe ?? throw new ArgumentNullException(nameof(probe));
    }

    public Task<KdcHealthResult> ProbeAsync(KdcProbeRequest request, CancellationToken cancellationToken) =>
        _probe.ProbeAsync(request, cancellationToken);
}
