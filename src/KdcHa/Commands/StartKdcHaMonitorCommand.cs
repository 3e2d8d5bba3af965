using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using KdcHa.Common;
using KdcHa.Configuration;
using KdcHa.Haproxy;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Keytab;
using KdcHa.Monitor;
using KdcHa.Monitor.Metrics;
using KdcHa.Notification;
using KdcHa.Vrrp;

namespace KdcHa.Commands;

[Cmdlet(VerbsLifecycle.Start, "KdcHaMonitor", SupportsShouldProcess = true)]
[OutputType(typeof(MonitorEvent))]
public sealed class StartKdcHaMonitorCommand : KdcHaCmdlet
{
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
    public string KdcProcessName { get => _configuration.KdcProcessName; set => _configuration.KdcProcessName = value; }

    [Parameter]
    public int RestartGraceMilliseconds { get => _configuration.RestartGraceMilliseconds; set => _configuration.RestartGraceMilliseconds = value; }

    [Parameter]
    public int MinimumTimeoutMilliseconds { get => _configuration.MinimumTimeoutMilliseconds; set => _configuration.MinimumTimeoutMilliseconds = value; }

    [Parameter]
    public int BusyTimeoutMilliseconds { get => _configuration.BusyTimeoutMilliseconds; set => _configuration.BusyTimeoutMilliseconds = value; }

    [Parameter]
    public int AuthenticatedIntervalMilliseconds { get => _configuration.AuthenticatedIntervalMilliseconds; set => _configuration.AuthenticatedIntervalMilliseconds = value; }

    [Parameter]
    public SwitchParameter DropWhileKdcDown { get => _configuration.DropWhileKdcDown; set => _configuration.DropWhileKdcDown = value; }

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
    public string KeepalivedPidFile { get => _configuration.KeepalivedPidFile; set => _configuration.KeepalivedPidFile = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] NotificationChannel { get => _configuration.NotificationChannel.ToArray(); set => _configuration.NotificationChannel = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NotificationConfigurationPath { get => _configuration.NotificationConfigurationPath; set => _configuration.NotificationConfigurationPath = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AgentCheckAddress { get => _configuration.AgentCheckAddress; set => _configuration.AgentCheckAddress = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MetricsAddress { get => _configuration.MetricsAddress; set => _configuration.MetricsAddress = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LocalFrontend { get => _configuration.LocalFrontend; set => _configuration.LocalFrontend = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] PeerFrontend { get => _configuration.PeerFrontend.ToArray(); set => _configuration.PeerFrontend = value; }

    protected override void ProcessRecord()
    {
        var configuration = BuildConfiguration();
        if (!ShouldProcess(configuration.StateDirectory, $"Drive keepalived through {configuration.FaultFile} and {configuration.HeartbeatFile}"))
        {
            return;
        }

        using var alerts = OpenAlerts(configuration);
        try
        {
            var host = new MonitorHost(configuration, alerts);
            RunOnPipeline<object?>("KdcHa monitor", async (output, token) =>
            {
                await host.RunAsync(output, Duration, token).ConfigureAwait(false);
                return null;
            }, MonitorHost.StopGrace);
        }
        catch (KdcHaException e) when (e is VrrpInterfaceNotFoundException or VrrpPermissionException)
        {
            // The start check of -VrrpInterface: a wrong name, or no capability to listen.
            ThrowTerminatingError(EngineError(e, VrrpInterface, KdcHaErrors.InterfaceNotFound));
        }
        catch (AgentCheckListenException e)
        {
            ThrowTerminatingError(EngineError(e, AgentCheckAddress, KdcHaErrors.AgentCheckUnavailable));
        }
        catch (MetricsListenException e)
        {
            ThrowTerminatingError(EngineError(e, MetricsAddress, KdcHaErrors.MetricsUnavailable));
        }
        catch (KdcHaException e) when (e is KeytabNotFoundException or KeytabUnreadableException or KeytabFormatException or PrincipalNotInKeytabException)
        {
            ThrowTerminatingError(EngineError(e, Keytab, KdcHaErrors.KeytabUnreadable));
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
        return new MonitorAlerts(setup.Open(notificationConfiguration, definitions));
    }

    private MonitorConfiguration BuildConfiguration()
    {
        try
        {
            if (ConfigurationPath is not null)
            {
                var path = ExistingConfigurationFile(ConfigurationPath);
                _configuration.ApplyFile(path, text => PowerShellDataFile.Read(text, path), MyInvocation.BoundParameters.Keys);
            }

            _configuration.Validate();
        }
        catch (ConfigurationException e)
        {
            ThrowTerminatingError(NewError(e, KdcHaErrors.InvalidMonitorConfiguration, e.Setting));
        }

        // The engine opens files itself: PowerShell paths (relative to $PWD, drives) become file-system paths here.
        if (_configuration.Keytab is { } keytab)
        {
            _configuration.Keytab = SessionState.Path.GetUnresolvedProviderPathFromPSPath(keytab);
        }

        return _configuration;
    }

    private string ExistingConfigurationFile(string configurationPath)
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(configurationPath);
        if (!File.Exists(path))
        {
            ThrowTerminatingError(NewError(new FileNotFoundException($"The monitor configuration {path} does not exist.", path),
                KdcHaErrors.MonitorConfigurationNotFound, configurationPath));
        }

        return path;
    }
}
