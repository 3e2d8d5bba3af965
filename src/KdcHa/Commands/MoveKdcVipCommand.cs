using System;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Transport;
using KdcHa.Vip;
using KdcHa.Vrrp;

namespace KdcHa.Commands;

[Cmdlet(VerbsCommon.Move, "KdcVip", DefaultParameterSetName = MoveSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VipSwitchoverResult))]
public sealed class MoveKdcVipCommand : KdcHaCmdlet
{
    private const string MoveSet = "Move";
    private const string RestoreSet = "Restore";
    private const int ProgressActivityId = 6;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Instance { get; set; } = string.Empty;

    [Parameter(ParameterSetName = MoveSet)]
    [ValidateNotNullOrEmpty]
    public string? To { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = RestoreSet)]
    public SwitchParameter Restore { get; set; }

    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 10;

    [Parameter(ParameterSetName = MoveSet)]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ConfigPath { get; set; } = "/etc/keepalived/keepalived.conf";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Realm { get; set; }

    [Parameter]
    [ValidateRange(50, 60000)]
    public int ProbeTimeoutMilliseconds { get; set; } = 1000;

    protected override void BeginProcessing()
    {
        if (!UnixHost.IsLinux)
        {
            ThrowTerminatingError(NewError(new PlatformNotSupportedException("Move-KdcVip drives keepalived and Linux network interfaces; it runs on Linux only."), "NotLinux", ErrorCategory.NotImplemented, null));
        }

        if (!UnixHost.IsRoot)
        {
            ThrowTerminatingError(NewError(new UnauthorizedAccessException("Move-KdcVip writes the keepalived maintenance file and listens for VRRP on a raw socket: run it as root."), "NotRoot", ErrorCategory.PermissionDenied, null));
        }
    }

    protected override void ProcessRecord()
    {
        try
        {
            var track = MaintenanceTrack.Resolve(KeepalivedConfigReader.Read(SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigPath)), Instance);
            var realm = ResolveRealm();
            var flag = new MaintenanceFlagFile(track.FilePath);
            var switchover = new KeepalivedSwitchover(
                flag,
                new VrrpPeerObserver(),
                new NetworkInterfaceAddresses(),
                new KerberosVipProbe(new KdcHealthProbe(new SocketKdcTransport()), realm, TimeSpan.FromMilliseconds(ProbeTimeoutMilliseconds)));
            var target = $"vrrp_instance {track.Instance.Name} ({string.Join(", ", track.Instance.VirtualAddresses)} on {track.Instance.Interface})";
            var timeout = TimeSpan.FromSeconds(TimeoutSeconds);
            if (Restore)
            {
                if (ShouldProcess(target, $"End the maintenance: write 0 to {flag.Path} (track_file {track.TrackFileName}) so keepalived restores priority {track.Instance.Priority}"))
                {
                    WriteResult(Run(progress => switchover.RestoreAsync(track, timeout, progress, CancellationToken)));
                }

                return;
            }

            var request = new SwitchoverRequest(track) { To = ResolvePeer(), Timeout = timeout, Force = Force };
            if (ShouldProcess(target, DescribeDemotion(track, flag)))
            {
                WriteResult(Run(progress => switchover.MoveAsync(request, progress, CancellationToken)));
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the engine has put the maintenance flag back as it was before this command.
        }
        catch (KdcHaException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
    }

    private string ResolveRealm()
    {
        var realm = Realm ?? Krb5DefaultRealm.Find(Environment.GetEnvironmentVariable("KRB5_CONFIG"));
        if (realm is null)
        {
            ThrowTerminatingError(NewError(new ArgumentException("No realm to probe the VIP in: give -Realm, or set default_realm in krb5.conf."), "RealmRequired", ErrorCategory.InvalidArgument, null));
        }

        return realm!;
    }

    private string DescribeDemotion(MaintenanceTrack track, IMaintenanceFlag flag)
    {
        var effect = track.Mode == DemotionMode.Fault
            ? "the instance enters FAULT and drops the VIP at once"
            : $"the priority drops by {-track.Weight}, and the node keeps the VIP until a peer takes it";
        var peer = To is null ? "a peer" : To;
        return $"Demote this node until Move-KdcVip -Restore: write 1 to {flag.Path} (track_file {track.TrackFileName}, weight {track.Weight}: {effect}), " +
               $"then wait up to {TimeoutSeconds} s for {peer} to advertise as master and the VIP to answer Kerberos" +
               (Force ? "; stay demoted even if no peer takes over" : "; roll back if not");
    }

    private IPAddress[] ResolvePeer()
    {
        if (To is null)
        {
            return Array.Empty<IPAddress>();
        }

        if (IPAddress.TryParse(To, out var address))
        {
            return new[] { address };
        }

        try
        {
            return Dns.GetHostAddresses(To);
        }
        catch (SocketException e)
        {
            ThrowTerminatingError(NewError(new ArgumentException($"-To '{To}' is neither an address nor a name that resolves: {e.Message}", e), "UnknownPeer", ErrorCategory.ObjectNotFound, To));
            throw;
        }
    }

    // The engine runs on the pool; this thread writes its progress until it ends, then rethrows what it threw.
    private VipSwitchoverResult Run(Func<ISwitchoverProgress, Task<VipSwitchoverResult>> operation)
    {
        using var queue = new QueuedSwitchoverProgress();
        var task = Task.Run(() => operation(queue));
        _ = task.ContinueWith(_ => queue.Complete(), TaskScheduler.Default);
        var progress = new ProgressRecord(ProgressActivityId, $"Move-KdcVip {Instance}", "Starting");
        foreach (var (stage, message) in queue.Drain())
        {
            WriteVerbose(message);
            progress.StatusDescription = message;
            progress.CurrentOperation = stage.ToString();
            WriteProgress(progress);
        }

        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        return task.GetAwaiter().GetResult();
    }

    private void WriteResult(VipSwitchoverResult result)
    {
        WriteVerbose(result.Message);
        if (!result.Verified)
        {
            WriteWarning(result.Message);
        }

        WriteObject(result);
    }

    private ErrorRecord ToErrorRecord(KdcHaException e) => e switch
    {
        VrrpInstanceNotFoundException notFound => NewError(e, "UnknownInstance", ErrorCategory.ObjectNotFound, notFound.Instance),
        MaintenanceTrackException => NewError(e, "MaintenanceTrackNotConfigured", ErrorCategory.NotEnabled, Instance),
        KeepalivedConfigException => NewError(e, "KeepalivedConfigInvalid", ErrorCategory.InvalidData, ConfigPath),
        NotVipHolderException => NewError(e, "NotVipHolder", ErrorCategory.InvalidOperation, Instance),
        SwitchoverTimeoutException => NewError(e, "SwitchoverTimeout", ErrorCategory.OperationTimeout, Instance),
        InterfaceNotFoundException missing => NewError(e, "InterfaceNotFound", ErrorCategory.ObjectNotFound, missing.InterfaceName),
        VrrpInterfaceNotFoundException missing => NewError(e, "InterfaceNotFound", ErrorCategory.ObjectNotFound, missing.InterfaceName),
        InsufficientPrivilegeException or VrrpPermissionException => NewError(e, "NotRoot", ErrorCategory.PermissionDenied, Instance),
        _ => NewError(e, "MoveFailed", ErrorCategory.NotSpecified, Instance),
    };
}
