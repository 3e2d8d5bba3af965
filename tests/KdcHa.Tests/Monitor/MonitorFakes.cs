using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Configuration;
using KdcHa.Keepalived;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;
using KdcHa.Monitor;

namespace KdcHa.Tests.Monitor;

/// <summary>Time that moves only when the monitor waits: every delay is recorded and completes at once.</summary>
internal sealed class FakeClock : IMonitorClock
{
    public TimeSpan Elapsed { get; private set; }

    public DateTime UtcNow => new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc) + Elapsed;

    public List<TimeSpan> Delays { get; } = new();

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Delays.Add(delay);
        Elapsed += delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        return Task.CompletedTask;
    }
}

/// <summary>
/// Answers each round from a script: one status per KDC per round, by KDC name. When the script runs out it stops
/// the monitor, so a test is exactly its rounds.
/// </summary>
internal sealed class ScriptedProber : IKdcProber
{
    private readonly Dictionary<string, Queue<KdcHealthStatus>> _script = new();

    public KdcHaMonitor? Monitor { get; set; }

    /// <summary>Every probe first waits (up to 5 s) for this, so a test can let a watcher task catch up.</summary>
    public Func<bool>? WaitFor { get; set; }

    public List<KdcProbeRequest> Requests { get; } = new();

    public void Add(string kdc, params KdcHealthStatus[] statuses)
    {
        if (!_script.TryGetValue(kdc, out var queue))
        {
            _script[kdc] = queue = new Queue<KdcHealthStatus>();
        }

        foreach (var status in statuses)
        {
            queue.Enqueue(status);
        }
    }

    public Task<KdcHealthResult> ProbeAsync(KdcProbeRequest request, CancellationToken cancellationToken)
    {
        if (WaitFor is { } condition)
        {
            SpinWait.SpinUntil(condition, 5000);
        }

        lock (Requests)
        {
            Requests.Add(request);
        }

        var queue = _script[request.Endpoint.Host];
        if (queue.Count == 0)
        {
            Monitor!.Stop("the script ended.");
            cancellationToken.ThrowIfCancellationRequested();
        }

        var status = queue.Dequeue();
        return Task.FromResult(new KdcHealthResult { Kdc = request.Endpoint.Host, Verdict = status, RoundTripMilliseconds = 1 });
    }
}

/// <summary>The local KDC's process: running or not, and busy (its CPU time moves at every read) or idle.</summary>
internal sealed class FakeKdcProcess : ILocalKdcProcess
{
    private readonly bool _running;
    private readonly bool _busy;
    private readonly bool _waiting;
    private TimeSpan _cpu = TimeSpan.FromSeconds(1);

    // busy: its CPU time moves between reads; waiting: it waits for a CPU (as under a CPU quota) at every read.
    public FakeKdcProcess(bool running, bool busy = false, bool waiting = false)
    {
        _running = running;
        _busy = busy;
        _waiting = waiting;
    }

    public string Name => "krb5kdc";

    public bool IsRunning() => _running;

    public LocalKdcActivity? Activity()
    {
        if (!_running)
        {
            return null;
        }

        _cpu += _busy ? TimeSpan.FromMilliseconds(3) : TimeSpan.Zero;
        return new LocalKdcActivity(_cpu, _waiting);
    }
}

internal sealed class FakeTracking : IKeepalivedTracking
{
    public bool Fault { get; set; }

    public List<bool> Writes { get; } = new();

    public int Heartbeats { get; private set; }

    public bool HeartbeatStopped { get; private set; }

    public bool ReadFault() => Fault;

    public void WriteFault(bool fault)
    {
        Fault = fault;
        Writes.Add(fault);
    }

    public void Heartbeat() => Heartbeats++;

    public void StopHeartbeat() => HeartbeatStopped = true;
}

internal sealed class MemoryStatusStore : IMonitorStatusStore
{
    public List<MonitorStatus> Written { get; } = new();

    public void Write(MonitorStatus status) => Written.Add(status);
}

internal sealed class ListSink : IMonitorEventSink
{
    public List<MonitorEvent> Events { get; } = new();

    // Watchers publish from their own tasks.
    public void Publish(MonitorEvent monitorEvent)
    {
        lock (Events)
        {
            Events.Add(monitorEvent);
        }
    }

    public IEnumerable<T> Of<T>() => Events.OfType<T>();
}

/// <summary>One monitor over fakes: the local KDC "local" and the peer "peer".</summary>
internal sealed class MonitorHarness
{
    public MonitorHarness(int fall = 2, int rise = 3, IReadOnlyList<IMonitorWatcher>? watchers = null, VrrpObservations? vrrp = null, ILocalKdcProcess? localProcess = null, int restartGraceMilliseconds = 100, int busyTimeoutMilliseconds = 500,
        KdcProbeLevel level = KdcProbeLevel.Reachable, int authenticatedIntervalMilliseconds = 10000,
        Func<IMonitorStatusStore, IMonitorStatusStore>? statusStore = null, LocalKdcExits? exits = null, bool frontends = false, int minimumTimeoutMilliseconds = 20)
    {
        Configuration = new MonitorConfiguration
        {
            Node = "node1", LocalKdc = "local", PeerKdc = new[] { "peer" }, Realm = "KDCHA.TEST", Fall = fall, Rise = rise, RestartGraceMilliseconds = restartGraceMilliseconds,
            BusyTimeoutMilliseconds = busyTimeoutMilliseconds, AuthenticatedIntervalMilliseconds = authenticatedIntervalMilliseconds,
            MinimumTimeoutMilliseconds = minimumTimeoutMilliseconds,
        };
        // With frontends: the HAProxy frontends "fe-local" and "fe-peer" are probed beside the KDCs.
        var haproxy = frontends ? new HaproxyFrontends(Kdc("fe-local", true, KdcProbeLevel.Reachable), new[] { Kdc("fe-peer", false, KdcProbeLevel.Reachable) }, fall, rise) : null;
        Monitor = new KdcHaMonitor(Configuration, new[] { Kdc("local", true, level), Kdc("peer", false, level) }, Prober, Tracking, statusStore?.Invoke(Status) ?? Status, Clock, Sink, processId: 42, watchers, vrrp, localProcess, exits, haproxy);
        Prober.Monitor = Monitor;
    }

    public MonitorConfiguration Configuration { get; }

    public KdcHaMonitor Monitor { get; }

    public ScriptedProber Prober { get; } = new();

    public FakeTracking Tracking { get; } = new();

    public MemoryStatusStore Status { get; } = new();

    public FakeClock Clock { get; } = new();

    public ListSink Sink { get; } = new();

    public void Run() => Monitor.RunAsync(CancellationToken.None).GetAwaiter().GetResult();

    private static MonitoredKdc Kdc(string name, bool isLocal, KdcProbeLevel level) =>
        new(name, new KdcProbeRequest(new KdcEndpoint(name), "KDCHA.TEST", PrincipalName.Parse("kdcha-probe"), clientIsExpectedToExist: level == KdcProbeLevel.Authenticated) { Level = level }, isLocal);
}
