using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Configuration;
using KdcHa.Keepalived;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;
using KdcHa.Monitor;
using KdcHa.Notification;
using KdcHa.Vrrp;

namespace KdcHa.Commands;

[Cmdlet(VerbsLifecycle.Start, "KdcHaMonitor", SupportsShouldProcess = true)]
[OutputType(typeof(MonitorEvent))]
public sealed class StartKdcHaMonitorCommand : KdcHaCmdlet
{
    // Stands in for the client when none is named: "principal unknown" from the KDC then proves a database lookup.
    private const string ProbeClientName = "kdcha-probe";

    // A stable id, so every update replaces the one progress bar instead of stacking new ones.
    private const int ProgressActivityId = 0x4b4443;

    // After a stop, how long the pipeline thread waits for the loop to leave the track files safe.
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    // How often a notify FIFO or VRRP listener that failed is opened again.
    private static readonly TimeSpan SourceRetryDelay = TimeSpan.FromSeconds(1);

    // On stop: queued alerts get this long to reach the spool, then the channels this long to deliver them. What
    // is left stays spooled for the next run or Send-KdcHaNotification -Pending; a stop must stay quick.
    private static readonly TimeSpan AlertSpoolGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AlertFlushGrace = TimeSpan.FromSeconds(5);

    private readonly MonitorConfiguration _configuration = new();

    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    // Run length of this invocation, not a node setting: a file never holds it.
    [Parameter]
    public TimeSpan Duration { get; set; }

    // The monitor settings bind straight to the configuration (MonitorConfiguration.Settings names them all); a
    // -ConfigurationPath file fills in only what no parameter gave.
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Node { get => _configuration.Node; set => _configuration.Node = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string LocalKdc { get => _configuration.LocalKdc; set => _configuration.LocalKdc = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] PeerKdc { get => _configuration.PeerKdc.ToArray(); set => _configuration.PeerKdc = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Realm { get => _configuration.Realm; set => _configuration.Realm = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Principal { get => _configuration.Principal; set => _configuration.Principal = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Keytab { get => _configuration.Keytab; set => _configuration.Keytab = value; }

    [Parameter]
    public int IntervalMilliseconds { get => _configuration.IntervalMilliseconds; set => _configuration.IntervalMilliseconds = value; }

    [Parameter]
    public int TimeoutMilliseconds { get => _configuration.TimeoutMilliseconds; set => _configuration.TimeoutMilliseconds = value; }

    [Parameter]
    public int Fall { get => _configuration.Fall; set => _configuration.Fall = value; }

    [Parameter]
    public int Rise { get => _configuration.Rise; set => _configuration.Rise = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string StateDirectory { get => _configuration.StateDirectory; set => _configuration.StateDirectory = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NotifyFifo { get => _configuration.NotifyFifo; set => _configuration.NotifyFifo = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VrrpInterface { get => _configuration.VrrpInterface; set => _configuration.VrrpInterface = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] NotificationChannel { get => _configuration.NotificationChannel.ToArray(); set => _configuration.NotificationChannel = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NotificationConfigurationPath { get => _configuration.NotificationConfigurationPath; set => _configuration.NotificationConfigurationPath = value; }

    protected override void ProcessRecord()
    {
        var configuration = BuildConfiguration();
        var tracking = new TrackFiles(configuration.FaultFile, configuration.HeartbeatFile);
        if (!ShouldProcess(configuration.StateDirectory, $"Drive keepalived through {tracking.FaultFile} and {tracking.HeartbeatFile}"))
        {
            return;
        }

        using var alerts = OpenAlerts(configuration);
        CheckVrrpInterface(configuration);
        var kdcs = BuildKdcs(configuration);
        using var queue = new MonitorEventQueue();
        using var notifying = alerts is null ? null : new NotifyingEventSink(
            alerts.Enqueue,
            (notification, error) => PublishUnlessComplete(queue, new MonitorSourceFailedEvent(
                configuration.Node, DateTime.UtcNow, "notification spool", $"alert {notification.Id} ({notification.Kind}) was not spooled: {error.Message}")));
        IMonitorEventSink events = notifying is null ? queue : new FanOutEventSink(queue, notifying);
        var clock = new SystemMonitorClock();
        var vrrp = new VrrpObservations();
        var monitor = new KdcHaMonitor(configuration, kdcs, new KdcHealthProber(new KdcHealthProbe(new SocketKdcTransport())),
            tracking, new MonitorStatusFile(configuration.StatusFile), clock, events, Process.GetCurrentProcess().Id,
            BuildWatchers(configuration, vrrp, events, clock), vrrp);

        using var sigterm = TerminationSignal.Register(() => monitor.Stop("SIGTERM received (service stop)."));
        using var ctrlC = CancellationToken.Register(() => monitor.Stop("stopped by Ctrl+C."));
        using var duration = new CancellationTokenSource();
        using var durationElapsed = duration.Token.Register(() => monitor.Stop($"-Duration {Duration} elapsed."));
        if (Duration > TimeSpan.Zero)
        {
            duration.CancelAfter(Duration);
        }

        var run = Task.Run(() => monitor.RunAsync(CancellationToken.None));
        run.ContinueWith(
            _ =>
            {
                notifying?.Complete(AlertSpoolGrace);
                queue.Complete();
            },
            TaskScheduler.Default);
        try
        {
            foreach (var monitorEvent in queue.Consume())
            {
                WriteVerbose($"[{monitorEvent.Severity}] {monitorEvent.EventType}: {monitorEvent.Message}");
                WriteObject(monitorEvent);
                WriteInteractiveProgress(monitorEvent);
            }

            run.GetAwaiter().GetResult();
        }
        finally
        {
            // Also after Ctrl+C, when writing to the pipeline throws: the loop must finish its shutdown writes.
            run.Wait(ShutdownGrace);
            alerts?.Flush(AlertFlushGrace);
        }
    }

    private static void PublishUnlessComplete(MonitorEventQueue queue, MonitorEvent monitorEvent)
    {
        try
        {
            queue.Publish(monitorEvent);
        }
        catch (InvalidOperationException)
        {
            // The pipeline already ended (a stop that outran the spool); the dispatcher's log keeps the failure.
        }
    }

    private MonitorAlerts? OpenAlerts(MonitorConfiguration configuration)
    {
        if (configuration.NotificationChannel.Count == 0)
        {
            return null;
        }

        var setup = new NotificationSetup(this);
        var path = setup.ResolvePath(configuration.NotificationConfigurationPath);
        var notificationConfiguration = setup.Load(path);
        var definitions = setup.SelectChannels(notificationConfiguration.Channels, configuration.NotificationChannel.Select(name => new NotificationChannelSelector(name)), path);
        WriteVerbose($"Alerts to {string.Join(", ", definitions.Select(channel => channel.Name))} from {path}; spool {setup.SpoolPath(notificationConfiguration)}.");
        var alerts = new MonitorAlerts(setup.Open(notificationConfiguration, definitions));

        // The dispatcher's progress needs an output that the pipeline thread drains; until this cmdlet runs the
        // monitor through RunOnPipeline, its alerts deliver without reporting progress.
        alerts.Start(OperationOutput.None);
        return alerts;
    }

    private void CheckVrrpInterface(MonitorConfiguration configuration)
    {
        if (configuration.VrrpInterface is not { } name)
        {
            return;
        }

        // Opened once here so a wrong name or a missing capability stops the start; the watcher reopens it later.
        try
        {
            VrrpAdvertisementListener.OnLink(name).Dispose();
        }
        catch (VrrpInterfaceNotFoundException e)
        {
            ThrowTerminatingError(NewError(e, KdcHaErrors.InterfaceNotFound, name));
        }
        catch (VrrpPermissionException e)
        {
            ThrowTerminatingError(NewError(e, KdcHaErrors.PermissionDenied, name));
        }
    }

    private static IReadOnlyList<IMonitorWatcher> BuildWatchers(MonitorConfiguration configuration, VrrpObservations vrrp, IMonitorEventSink events, IMonitorClock clock)
    {
        var fifo = configuration.NotifyFifoPath;
        var watchers = new List<IMonitorWatcher>
        {
            new NotifyFifoWatcher(configuration.Node, $"notify FIFO {fifo}", () => new NotifyFifoReader(fifo), vrrp, events, clock, SourceRetryDelay),
        };
        if (configuration.VrrpInterface is { } name)
        {
            watchers.Add(new SplitBrainWatcher(configuration.Node, $"VRRP listener on {name}", () => VrrpAdvertisementListener.OnLink(name), vrrp, events, clock, SourceRetryDelay));
        }

        return watchers;
    }

    private MonitorConfiguration BuildConfiguration()
    {
        var configuration = _configuration;
        try
        {
            if (ConfigurationPath is not null)
            {
                configuration.ApplyFile(ReadConfigurationFile(ConfigurationPath), MyInvocation.BoundParameters.Keys);
            }

            configuration.Validate();
        }
        catch (ConfigurationException e)
        {
            ThrowTerminatingError(NewError(e, KdcHaErrors.InvalidMonitorConfiguration, e.Setting));
        }

        return configuration;
    }

    private IDictionary ReadConfigurationFile(string configurationPath)
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(configurationPath);
        if (!File.Exists(path))
        {
            ThrowTerminatingError(NewError(new FileNotFoundException($"The monitor configuration {path} does not exist.", path),
                KdcHaErrors.MonitorConfigurationNotFound, configurationPath));
        }

        if (string.Equals(Path.GetExtension(path), ".psd1", StringComparison.OrdinalIgnoreCase))
        {
            // Import-PowerShellDataFile evaluates nothing but literals: a configuration file cannot run code.
            return (IDictionary)InvokeCommand.InvokeScript("param($p) Import-PowerShellDataFile -LiteralPath $p", path)[0].BaseObject;
        }

        return MonitorConfiguration.ReadJson(path);
    }

    private IReadOnlyList<MonitoredKdc> BuildKdcs(MonitorConfiguration configuration)
    {
        var keytab = configuration.Keytab is null ? null : LoadKeytab(configuration.Keytab);
        var principal = configuration.Principal ?? keytab?.Principals.FirstOrDefault();
        var realm = configuration.Realm ?? RealmOf(principal)!;
        var client = PrincipalName.Parse(principal is null ? ProbeClientName : NameOf(principal));
        IClientKeySource? keySource = null;
        if (keytab is not null)
        {
            var keytabSource = new KeytabKeySource(keytab, $"{client}@{realm}");
            if (keytabSource.EncryptionTypes.Count == 0)
            {
                ThrowTerminatingError(NewError(
                    new ArgumentException($"The keytab {configuration.Keytab} holds no usable key for {client}@{realm}. It holds: {string.Join(", ", keytab.Principals)}."),
                    KdcHaErrors.PrincipalNotInKeytab, principal));
            }

            keySource = keytabSource;
        }

        MonitoredKdc Kdc(string address, bool isLocal) => new(address, new KdcProbeRequest(KdcEndpoint.Parse(address), realm, client, clientIsExpectedToExist: principal is not null)
        {
            Level = keySource is null ? KdcProbeLevel.Reachable : KdcProbeLevel.Authenticated,
            KeySource = keySource,
            Timeout = TimeSpan.FromMilliseconds(configuration.TimeoutMilliseconds),
        }, isLocal);

        return new[] { Kdc(configuration.LocalKdc, isLocal: true) }.Concat(configuration.PeerKdc.Select(peer => Kdc(peer, isLocal: false))).ToArray();
    }

    private void WriteInteractiveProgress(MonitorEvent monitorEvent)
    {
        // Quiet under systemd, Ansible or a redirected run: progress is for a person watching a terminal.
        if (Console.IsOutputRedirected)
        {
            return;
        }

        WriteProgress(new ProgressRecord(ProgressActivityId, "KdcHa monitor", $"{monitorEvent.Timestamp:HH:mm:ss.fff} {monitorEvent.EventType}: {monitorEvent.Message}"));
    }
}
