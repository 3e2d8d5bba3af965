using System;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Completers;
using KdcHa.Keepalived;
using KdcHa.Kerberos;
using KdcHa.Vip;

namespace KdcHa.Commands;

[Cmdlet(VerbsCommon.Move, "KdcVip", DefaultParameterSetName = MoveSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VipSwitchoverResult), ParameterSetName = new[] { MoveSet, RestoreSet })]
[OutputType(typeof(DirectVipResult), ParameterSetName = new[] { DirectSet, DirectReleaseSet })]
public sealed class MoveKdcVipCommand : KdcHaCmdlet
{
    private const string MoveSet = "Move";
    private const string RestoreSet = "Restore";
    private const string DirectSet = "Direct";
    private const string DirectReleaseSet = "DirectRelease";

    // Writing the flag back takes milliseconds; this only bounds a wait on a hung file system.
    private static readonly TimeSpan RollBackGrace = TimeSpan.FromSeconds(2);

    /// <summary>Null for the configuration's only instance (New-KdcHaKeepalivedConfig writes one).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = MoveSet)]
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = RestoreSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VrrpInstanceCompleter))]
    public string? Instance { get; set; }

    [Parameter(ParameterSetName = MoveSet)]
    [ValidateNotNullOrEmpty]
    public string? To { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = RestoreSet)]
    public SwitchParameter Restore { get; set; }

    [Parameter(ParameterSetName = MoveSet)]
    [Parameter(ParameterSetName = RestoreSet)]
    [Alias("TimeoutSec")]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 10;

    [Parameter(ParameterSetName = MoveSet)]
    [Parameter(ParameterSetName = DirectSet)]
    public SwitchParameter Force { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = DirectSet)]
    [Parameter(Mandatory = true, ParameterSetName = DirectReleaseSet)]
    public SwitchParameter Direct { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = DirectSet)]
    [Parameter(Mandatory = true, ParameterSetName = DirectReleaseSet)]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = DirectSet)]
    [Parameter(Mandatory = true, ParameterSetName = DirectReleaseSet)]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = DirectReleaseSet)]
    public SwitchParameter Release { get; set; }

    [Parameter(ParameterSetName = DirectSet)]
    [ValidateRange(1, 100)]
    public int Count { get; set; } = 3;

    [Parameter(ParameterSetName = DirectSet)]
    [ValidateRange(0, 10000)]
    public int IntervalMilliseconds { get; set; } = 200;

    [Parameter(ParameterSetName = MoveSet)]
    [Parameter(ParameterSetName = RestoreSet)]
    [Alias("ConfigPath")]
    [ValidateNotNullOrEmpty]
    public string ConfigurationPath { get; set; } = KeepalivedConfig.DefaultPath;

    [Parameter(ParameterSetName = MoveSet)]
    [Parameter(ParameterSetName = RestoreSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RealmCompleter))]
    public string? Realm { get; set; }

    [Parameter(ParameterSetName = MoveSet)]
    [Parameter(ParameterSetName = RestoreSet)]
    [ValidateRange(50, 60000)]
    public int ProbeTimeoutMilliseconds { get; set; } = 1000;

    protected override void BeginProcessing()
    {
        if (!UnixHost.IsLinux)
        {
            ThrowTerminatingError(NewError(new PlatformNotSupportedException("Move-KdcVip drives keepalived and Linux network interfaces; it runs on Linux only."), KdcHaErrors.PlatformNotSupported, null));
        }

        if (!UnixHost.IsRoot)
        {
            ThrowTerminatingError(NewError(new UnauthorizedAccessException("Move-KdcVip writes the keepalived maintenance file and listens for VRRP on a raw socket, or with -Direct changes interface addresses through netlink and sends ARP from a packet socket: run it as root."), KdcHaErrors.PermissionDenied, null));
        }
    }

    protected override void ProcessRecord()
    {
        if (Direct)
        {
            ProcessDirect();
            return;
        }

        try
        {
            var track = MaintenanceTrack.Resolve(KeepalivedConfigReader.Read(SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigurationPath)), Instance);
            var switchover = KeepalivedSwitchover.OnThisHost(track, ResolveRealm(), TimeSpan.FromMilliseconds(ProbeTimeoutMilliseconds));
            var target = $"vrrp_instance {track.Instance.Name} ({string.Join(", ", track.Instance.VirtualAddresses)} on {track.Instance.Interface})";
            var timeout = TimeSpan.FromSeconds(TimeoutSeconds);
            if (Restore)
            {
                if (ShouldProcess(target, $"End the maintenance: write 0 to {track.FilePath} (track_file {track.TrackFileName}) so keepalived restores priority {track.Instance.Priority}"))
                {
                    WriteResult(Run(track, (output, token) => switchover.RestoreAsync(track, timeout, output, token)));
                }

                return;
            }

            var request = new SwitchoverRequest(track) { To = ResolvePeer(), Timeout = timeout, Force = Force };
            if (ShouldProcess(target, DescribeDemotion(track)))
            {
                WriteResult(Run(track, (output, token) => switchover.MoveAsync(request, output, token)));
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the engine has put the maintenance flag back as it was before this command.
        }
        catch (KdcHaException e)
        {
            ThrowTerminatingError(EngineError(e, Instance, KdcHaErrors.MoveFailed));
        }
    }

    // Synchronous on the pipeline thread: the whole operation is a few hundred ms and Ctrl+C cancels the waits.
    private void ProcessDirect()
    {
        try
        {
            var address = ParseAddress();
            var link = LinkInterface.Find(Interface);
            var vip = DirectVip.OnThisHost();
            var target = $"{address} on {link.Name}";
            if (Release)
            {
                if (ShouldProcess(target, "Remove the address through netlink (no announcement: its next holder announces it)"))
                {
                    WriteDirectResult(vip.Release(link, address));
                }

                return;
            }

            var announcement = address.IsIPv6 ? "unsolicited neighbour advertisements to ff02::1" : "gratuitous ARP announcements";
            var check = Force || address.IsIPv6 ? "Without an ARP probe (" + (Force ? "-Force" : "IPv6") + "), add" : "Send an RFC 5227 ARP probe and refuse if any host answers; then add";
            if (ShouldProcess(target, $"{check} the address through netlink and send {Count} {announcement} from {link.MacText}, {IntervalMilliseconds} ms apart"))
            {
                var request = new DirectVipRequest(link, address) { Force = Force, Count = Count, Interval = TimeSpan.FromMilliseconds(IntervalMilliseconds) };
                WriteDirectResult(vip.Take(request, CancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C during the probe: nothing was added yet.
        }
        catch (KdcHaException e)
        {
            ThrowTerminatingError(EngineError(e, Interface, KdcHaErrors.MoveFailed));
        }
    }

    private InterfaceAddress ParseAddress()
    {
        try
        {
            return InterfaceAddress.Parse(Address);
        }
        catch (FormatException e)
        {
            ThrowTerminatingError(NewError(new ArgumentException(e.Message, nameof(Address), e), KdcHaErrors.InvalidAddress, Address));
            throw;
        }
    }

    private void WriteDirectResult(DirectVipResult result)
    {
        WriteVerbose(result.Message);
        WriteObject(result);
    }

    private string ResolveRealm()
    {
        var realm = Realm ?? Krb5Configuration.FindDefaultRealm(Environment.GetEnvironmentVariable(Krb5Configuration.PathVariable));
        if (realm is null)
        {
            ThrowTerminatingError(NewError(new ArgumentException("No realm to probe the VIP in: give -Realm, or set default_realm in krb5.conf."), KdcHaErrors.RealmRequired, null));
        }

        return realm!;
    }

    private string DescribeDemotion(MaintenanceTrack track)
    {
        var effect = track.Mode == DemotionMode.Fault
            ? "the instance enters FAULT and drops the VIP at once"
            : $"the priority drops by {-track.Weight}, and the node keeps the VIP until a peer takes it";
        var peer = To is null ? "a peer" : To;
        return $"Demote this node until Move-KdcVip -Restore: write 1 to {track.FilePath} (track_file {track.TrackFileName}, weight {track.Weight}: {effect}), " +
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
            ThrowTerminatingError(NewError(new ArgumentException($"-To '{To}' is neither an address nor a name that resolves: {e.Message}", e), KdcHaErrors.UnknownPeer, To));
            throw;
        }
    }

    // A stopped pipeline still lets the engine put the maintenance flag back before the command returns.
    private VipSwitchoverResult Run(MaintenanceTrack track, Func<IOperationOutput, CancellationToken, Task<VipSwitchoverResult>> operation) =>
        RunOnPipeline($"Move-KdcVip {track.Instance.Name}", operation, RollBackGrace);

    private void WriteResult(VipSwitchoverResult result)
    {
        WriteVerbose(result.Message);
        if (!result.Verified)
        {
            WriteWarning(result.Message);
        }

        WriteObject(result);
    }
}
