using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Configuration;
using KdcHa.Haproxy;
using KdcHa.Keepalived;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Transport;
using KdcHa.Monitor.Metrics;
using KdcHa.Notification;
using KdcHa.Vip;
using KdcHa.Vrrp;

namespace KdcHa.Monitor;

/// <summary>
/// Runs one node's monitor from its <see cref="MonitorConfiguration"/>: builds the probe requests, track files, status
/// file, watchers and event sinks, checks at start what must work, runs until stopped (SIGTERM as systemd sends it,
/// the caller's token, or the duration), and leaves the node safe. Events go to the output as objects, each with a
/// verbose line (never as progress); alert-worthy ones go to the alerts too.
/// </summary>
public sealed class MonitorHost
{
    // How often a notify FIFO or VRRP listener that failed is opened again.
    private static readonly TimeSpan SourceRetryDelay = TimeSpan.FromSeconds(1);

    // How often the exit watcher lists /proc for more KDC processes while it follows some (while it follows none: every
    // probe interval).
    private static readonly TimeSpan KdcRescanWhileWatching = TimeSpan.FromSeconds(10);

    // On stop: queued alerts get this long to reach the spool, then the channels this long to deliver them. What
    // is left stays spooled for the next run or Send-KdcHaNotification -Pending; a stop must stay quick.
    private static readonly TimeSpan AlertSpoolGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AlertFlushGrace = TimeSpan.FromSeconds(5);

    // How long the loop may take to leave the track files safe once stopped.
    private static readonly TimeSpan MonitorStopGrace = TimeSpan.FromSeconds(5);

    // On stop: how long the agent check keeps saying 'maint' for HAProxy nodes that have not heard it; longer than
    // HAProxy's default agent-inter of 2 s.
    private static readonly TimeSpan AgentMaintGrace = TimeSpan.FromSeconds(3);

    private readonly MonitorConfiguration _configuration;
    private readonly MonitorAlerts? _alerts;

    /// <param name="configuration">Validated, with file-system paths.</param>
    /// <param name="alerts">Where alerts go, not yet started (the host starts them on its output); null for none.</param>
    public MonitorHost(MonitorConfiguration configuration, MonitorAlerts? alerts)
    {
        _configuration = configuration ?? throw new ArgumentNullException(nameof(configuration));
        _alerts = alerts;
    }

    /// <summary>After a stop that the caller can no longer wait out in full, how long the run still needs to leave the node safe and its alerts spooled.</summary>
    public static TimeSpan StopGrace => MonitorStopGrace + AgentMaintGrace + AlertSpoolGrace + AlertFlushGrace;

    /// <summary>
    /// Runs the monitor until SIGTERM, <paramref name="cancellationToken"/> (Ctrl+C) or <paramref name="duration"/>
    /// (zero: no limit). Throws before the first probe when the VRRP interface cannot be listened on
    /// (<see cref="VrrpInterfaceNotFoundException"/>, <see cref="VrrpPermissionException"/>) or the keytab cannot
    /// serve (the keytab exceptions of <see cref="KdcProbeTargetFactory"/>), or the agent-check address cannot be
    /// listened on (<see cref="AgentCheckListenException"/>), or the metrics address (<see cref="MetricsListenException"/>).
    /// </summary>
    public async Task RunAsync(IOperationOutput output, TimeSpan duration, CancellationToken cancellationToken)
    {
        CheckVrrpInterface();
        var (kdcs, frontends) = BuildKdcs(output);
        await using var agent = _configuration.AgentCheckEndPoint is { } agentEndPoint ? AgentCheckResponder.Listen(agentEndPoint) : null;
        var metrics = _configuration.MetricsEndPoint is null ? null : new MonitorMetrics(
            kdcs.Select(kdc => (kdc.Name, kdc.IsLocal)), _alerts?.Channels ?? Array.Empty<string>(), _alerts is null ? null : _alerts.PendingCount);
        await using var endpoint = _configuration.MetricsEndPoint is { } metricsEndPoint ? MetricsEndpoint.Listen(metricsEndPoint, metrics!) : null;
        var clock = new SystemMonitorClock();
        var pipeline = new OutputEventSink(output);
        _alerts?.Start(metrics is null ? output : metrics.TapAlerts(output));
        using var notifying = _alerts is null ? null : new NotifyingEventSink(
            _alerts.Enqueue,
            (notification, error) => pipeline.Publish(new MonitorSourceFailedEvent(
                _configuration.Node, clock.UtcNow, "notification spool", $"alert {notification.Id} ({notification.Kind}) was not spooled: {error.Message}")));
        IMonitorEventSink events = notifying is null ? pipeline : new FanOutEventSink(pipeline, notifying);
        if (metrics is not null)
        {
            events = new FanOutEventSink(metrics, events);
        }

        var vrrp = new VrrpObservations();
        var process = new ProcKdcProcess(_configuration.KdcProcessName);
        var exits = new LocalKdcExits();
        var watchers = BuildWatchers(vrrp, events, clock);
        watchers.Add(new LocalKdcExitWatcher(_configuration.Node, process, exits, events, clock,
            TimeSpan.FromMilliseconds(_configuration.IntervalMilliseconds), KdcRescanWhileWatching));
        var monitor = new KdcHaMonitor(_configuration, kdcs, new KdcHealthProber(new KdcHealthProbe(new SocketKdcTransport())),
            new TrackFiles(_configuration.FaultFile, _configuration.HeartbeatFile), StatusStore(agent, metrics), clock, events,
            Environment.ProcessId, watchers, vrrp, process, exits, frontends);

        // Cancelling SIGTERM's default (process exit once handlers return) lets the loop finish its round and
        // leave the track files safe; pwsh then exits 0.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            monitor.Stop("SIGTERM received (service stop).");
        });
        using var stopped = cancellationToken.Register(() => monitor.Stop("stopped by Ctrl+C."));
        using var limit = new CancellationTokenSource();
        using var elapsed = limit.Token.Register(() => monitor.Stop($"-Duration {duration} elapsed."));
        if (duration > TimeSpan.Zero)
        {
            limit.CancelAfter(duration);
        }

        try
        {
            await monitor.RunAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (agent is not null)
            {
                await agent.CloseAsync(AgentAnswer.Maint, AgentMaintGrace).ConfigureAwait(false);
            }

            notifying?.Complete(AlertSpoolGrace);
            _alerts?.Flush(AlertFlushGrace);
        }
    }

    private IMonitorStatusStore StatusStore(AgentCheckResponder? agent, MonitorMetrics? metrics)
    {
        IMonitorStatusStore store = new MonitorStatusFile(_configuration.StatusFile);
        var stateDirectory = _configuration.StateDirectory;
        if (agent is not null)
        {
            store = new AgentCheckStatusStore(store, agent.Answer, () => AgentCheckStatusStore.MaintenanceSet(stateDirectory), _configuration.TimeoutMilliseconds);
        }

        return metrics is null ? store : new MetricsStatusStore(store, metrics);
    }

    private void CheckVrrpInterface()
    {
        // Opened once here so a wrong name or a missing capability stops the start; the watcher reopens it later.
        if (_configuration.VrrpInterface is { } name)
        {
            VrrpAdvertisementListener.OnLink(name).Dispose();
        }
    }

    /// <summary>The KDCs to probe, and on an HAProxy node (<see cref="MonitorConfiguration.LocalFrontend"/>) the frontends, probed over TCP.</summary>
    private (IReadOnlyList<MonitoredKdc> Kdcs, HaproxyFrontends? Frontends) BuildKdcs(IOperationOutput output)
    {
        var keytab = _configuration.Keytab is { } path ? KdcProbeTargetFactory.LoadKeytab(path, output) : null;
        var targets = new KdcProbeTargetFactory(keytab, _configuration.Keytab)
        {
            Timeout = TimeSpan.FromMilliseconds(_configuration.TimeoutMilliseconds),
        };

        MonitoredKdc Kdc(string address, bool isLocal) =>
            new(address, targets.Request(KdcEndpoint.Parse(address), _configuration.Principal, _configuration.Realm), isLocal);

        MonitoredKdc Frontend(string address, bool isLocal) => new(HaproxyFrontends.NameOf(address),
            targets.Request(KdcEndpoint.Parse(address), _configuration.Principal, _configuration.Realm, transport: KdcTransportProtocol.Tcp), isLocal);

        var kdcs = _configuration.PeerKdc.Select(peer => Kdc(peer, isLocal: false)).Prepend(Kdc(_configuration.LocalKdc, isLocal: true)).ToArray();
        var frontends = _configuration.LocalFrontend is { } localFrontend
            ? new HaproxyFrontends(Frontend(localFrontend, isLocal: true), _configuration.PeerFrontend.Select(peer => Frontend(peer, isLocal: false)).ToArray(), _configuration.Fall, _configuration.Rise)
            : null;
        return (kdcs, frontends);
    }

    private List<IMonitorWatcher> BuildWatchers(VrrpObservations vrrp, IMonitorEventSink events, IMonitorClock clock)
    {
        var node = _configuration.Node;
        var fifo = _configuration.NotifyFifoPath;
        var watchers = new List<IMonitorWatcher>
        {
            new NotifyFifoWatcher(node, $"notify FIFO {fifo}", () => new NotifyFifoReader(fifo), vrrp, events, clock, SourceRetryDelay),
        };
        if (_configuration.VrrpInterface is { } name)
        {
            watchers.Add(new SplitBrainWatcher(node, $"VRRP listener on {name}", () => VrrpAdvertisementListener.OnLink(name), vrrp, events, clock, SourceRetryDelay));
            var pidFile = _configuration.KeepalivedPidFile;
            watchers.Add(new OrphanedVipWatcher(node, $"orphaned VIP listener on {name}", () => VrrpAdvertisementListener.OnLink(name),
                () => KeepalivedProcess.NotRunningReason(pidFile), new HostVipHolder(DirectVip.OnThisHost()), events, clock, SourceRetryDelay));
        }

        if (_configuration.DropWhileKdcDown)
        {
            var local = KdcEndpoint.Parse(_configuration.LocalKdc);
            watchers.Add(new KdcPortDropWatcher(node, local.Port, local.Address, events, clock, SourceRetryDelay));
        }

        return watchers;
    }
}
