using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Keepalived;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Vip;

/// <summary>
/// Planned switchover through keepalived: demote this node with the KdcHa track_file, wait until a peer advertises as
/// master, the VIP has left this node and the VIP answers a Kerberos probe. Any failure puts the flag back as it was,
/// so the node is never left half-demoted.
/// </summary>
public sealed class KeepalivedSwitchover
{
    // keepalived applies a track_file change within a few ms; polling the addresses at this rate costs nothing.
    private static readonly TimeSpan AddressPollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ProbeRetryInterval = TimeSpan.FromMilliseconds(50);

    private readonly IMaintenanceFlag _flag;
    private readonly IPeerObserver _peers;
    private readonly IHostAddresses _host;
    private readonly IVipProbe _probe;

    public KeepalivedSwitchover(IMaintenanceFlag flag, IPeerObserver peers, IHostAddresses host, IVipProbe probe)
    {
        _flag = flag ?? throw new ArgumentNullException(nameof(flag));
        _peers = peers ?? throw new ArgumentNullException(nameof(peers));
        _host = host ?? throw new ArgumentNullException(nameof(host));
        _probe = probe ?? throw new ArgumentNullException(nameof(probe));
    }

    /// <summary>
    /// The switchover on this host: the track's maintenance file, VRRP heard on the instance's interface, this
    /// network namespace's addresses, and a Kerberos probe of the VIP in <paramref name="realm"/>.
    /// </summary>
    public static KeepalivedSwitchover OnThisHost(MaintenanceTrack track, string realm, TimeSpan probeTimeout) =>
        new(
            new MaintenanceFlagFile(track.FilePath),
            new VrrpPeerObserver(),
            new NetworkInterfaceAddresses(),
            new KerberosVipProbe(new KdcHealthProbe(new SocketKdcTransport()), realm, probeTimeout));

    public async Task<VipSwitchoverResult> MoveAsync(SwitchoverRequest request, IOperationOutput output, CancellationToken cancellationToken)
    {
        var instance = request.Track.Instance;
        var vip = request.VirtualAddress;
        EnsureInterfaceExists(instance);
        var wasDemoted = _flag.IsSet;
        if (!wasDemoted && !request.Force && !_host.IsLocal(vip))
        {
            throw new NotVipHolderException(
                $"This node does not hold {vip} of vrrp_instance {instance.Name}: run Move-KdcVip on the node that holds it, or add -Force to demote this node anyway.");
        }

        var observation = new SwitchoverObservation();
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        using var listener = _peers.Listen(instance.Interface!, vip.AddressFamily, instance.VirtualRouterId);
        Report(output, SwitchoverStage.Demoting, $"Writing 1 to {_flag.Path} ({request.Track.Mode}, weight {request.Track.Weight}).");
        if (!wasDemoted)
        {
            _flag.Set();
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(request.Timeout);
        var stage = SwitchoverStage.WaitingForPeer;
        try
        {
            Report(output, stage, $"Waiting for {DescribeTarget(request)} to advertise as master of virtual router {instance.VirtualRouterId}.");
            var master = await WaitForPeerMasterAsync(listener, request, observation, deadline.Token).ConfigureAwait(false);
            var peerMaster = clock.Elapsed;

            stage = SwitchoverStage.WaitingForRelease;
            Report(output, stage, $"{master} is master; waiting for {vip} to leave this node.");
            await WaitUntilAsync(() => !_host.IsLocal(vip), deadline.Token).ConfigureAwait(false);
            var released = clock.Elapsed;

            stage = SwitchoverStage.ProbingVip;
            Report(output, stage, $"Probing {vip} with Kerberos.");
            var probe = await WaitForHealthyVipAsync(vip, observation, deadline.Token).ConfigureAwait(false);
            return NewResult(request, "Move", started, clock.Elapsed) with
            {
                To = master.Source.ToString(),
                NewMasterPriority = master.Priority,
                PeerMasterMilliseconds = peerMaster.TotalMilliseconds,
                ReleasedMilliseconds = released.TotalMilliseconds,
                VipProbeStatus = probe.Status,
                VipProbeMilliseconds = probe.RoundTripMilliseconds,
                Demoted = true,
                Verified = true,
                Message = $"{master.Source} took over {vip}; this node stays demoted until Move-KdcVip -Instance {instance.Name} -Restore.",
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var seen = $"No healthy peer took over {vip} within {request.Timeout.TotalSeconds:0.###} s (stage {stage}). " +
                       observation.DescribeAdvertisements(instance) + observation.DescribeProbes(vip);
            if (request.Force)
            {
                return NewResult(request, "Move", started, clock.Elapsed) with
                {
                    VipProbeStatus = observation.LastProbe?.Status,
                    Demoted = true,
                    Message = seen + " -Force: this node stays demoted.",
                };
            }

            RollBack(wasDemoted, output);
            throw new SwitchoverTimeoutException(seen + RollBackNote(wasDemoted), stage, rolledBack: !wasDemoted);
        }
        catch
        {
            RollBack(wasDemoted, output);
            throw;
        }
    }

    /// <summary>
    /// Ends the maintenance: clears the flag, waits until keepalived has settled (this node took the VIP back, or a
    /// peer of at least its priority keeps it), and checks that the VIP answers.
    /// </summary>
    public async Task<VipSwitchoverResult> RestoreAsync(MaintenanceTrack track, TimeSpan timeout, IOperationOutput output, CancellationToken cancellationToken)
    {
        var instance = track.Instance;
        var vip = instance.VirtualAddresses[0];
        EnsureInterfaceExists(instance);
        var observation = new SwitchoverObservation();
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var request = new SwitchoverRequest(track) { Timeout = timeout };
        using var listener = _peers.Listen(instance.Interface!, vip.AddressFamily, instance.VirtualRouterId);
        Report(output, SwitchoverStage.Restoring, $"Writing 0 to {_flag.Path}.");
        _flag.Clear();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var stage = SwitchoverStage.WaitingForRelease;
        try
        {
            var keeper = instance.Preempt ? await WaitForSettledAsync(listener, instance, vip, observation, deadline.Token).ConfigureAwait(false) : null;
            stage = SwitchoverStage.ProbingVip;
            Report(output, stage, $"Probing {vip} with Kerberos.");
            var probe = await WaitForHealthyVipAsync(vip, observation, deadline.Token).ConfigureAwait(false);
            var holds = _host.IsLocal(vip);
            return NewResult(request, "Restore", started, clock.Elapsed) with
            {
                To = holds ? _host.OwnAddress(instance.Interface!, vip)?.ToString() : keeper?.Source.ToString(),
                NewMasterPriority = holds ? null : keeper?.Priority,
                VipProbeStatus = probe.Status,
                VipProbeMilliseconds = probe.RoundTripMilliseconds,
                HoldsVip = holds,
                Verified = true,
                Message = holds ? $"This node is back in service and holds {vip}." : $"This node is back in service as a backup; {keeper?.Source} keeps {vip}.",
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SwitchoverTimeoutException(
                $"This node is restored (the maintenance flag is 0), but {vip} did not settle and answer within {timeout.TotalSeconds:0.###} s (stage {stage}). " +
                observation.DescribeAdvertisements(instance) + observation.DescribeProbes(vip),
                stage,
                rolledBack: false);
        }
    }

    private async Task<PeerAdvertisement> WaitForPeerMasterAsync(IPeerListener listener, SwitchoverRequest request, SwitchoverObservation observation, CancellationToken cancellationToken)
    {
        while (true)
        {
            var advertisement = await listener.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            observation.Heard(advertisement);
            if (advertisement.Priority > 0
                && (request.To.Count == 0 || request.To.Contains(advertisement.Source))
                && !_host.IsLocal(advertisement.Source))
            {
                return advertisement;
            }
        }
    }

    // Preempting back takes keepalived's down timer; a peer that keeps advertising at our priority or above stays.
    private async Task<PeerAdvertisement?> WaitForSettledAsync(IPeerListener listener, KeepalivedInstance instance, IPAddress vip, SwitchoverObservation observation, CancellationToken cancellationToken)
    {
        using var settled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var holding = WaitUntilAsync(() => _host.IsLocal(vip), settled.Token);
        PeerAdvertisement? keeper = null;
        while (!holding.IsCompleted)
        {
            var next = listener.ReceiveAsync(settled.Token);
            if (await Task.WhenAny(holding, next).ConfigureAwait(false) == holding)
            {
                break;
            }

            var advertisement = await next.ConfigureAwait(false);
            observation.Heard(advertisement);
            if (advertisement.Priority >= instance.Priority && !_host.IsLocal(advertisement.Source))
            {
                keeper = advertisement;
                break;
            }
        }

        settled.Cancel();
        await Task.WhenAll(holding.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return keeper;
    }

    private async Task<KdcHealthResult> WaitForHealthyVipAsync(IPAddress vip, SwitchoverObservation observation, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _probe.ProbeAsync(vip, cancellationToken).ConfigureAwait(false);
            observation.Probed(result);
            if (result.IsHealthy)
            {
                return result;
            }

            await Task.Delay(ProbeRetryInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(AddressPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private void EnsureInterfaceExists(KeepalivedInstance instance)
    {
        if (!_host.HasInterface(instance.Interface!))
        {
            throw new InterfaceNotFoundException(instance.Interface!);
        }
    }

    private void RollBack(bool wasDemoted, IOperationOutput output)
    {
        if (!wasDemoted)
        {
            Report(output, SwitchoverStage.RollingBack, $"Writing 0 to {_flag.Path}: the move did not complete.");
            _flag.Clear();
        }
    }

    // Each stage is a progress step and its message a verbose line, so -Verbose shows the whole switchover.
    private static void Report(IOperationOutput output, SwitchoverStage stage, string message)
    {
        output.WriteVerbose(message);
        output.WriteProgress(stage.ToString(), message);
    }

    private string RollBackNote(bool wasDemoted) =>
        wasDemoted
            ? $" The node was already demoted before this command and stays demoted ({_flag.Path} is 1)."
            : $" The demotion was rolled back ({_flag.Path} is 0 again), so this node is back in normal service.";

    private static string DescribeTarget(SwitchoverRequest request) =>
        request.To.Count == 0 ? "a peer" : string.Join(" or ", request.To);

    private VipSwitchoverResult NewResult(SwitchoverRequest request, string operation, DateTime started, TimeSpan elapsed) =>
        new()
        {
            Instance = request.Track.Instance.Name,
            Operation = operation,
            Mode = request.Track.Mode.ToString(),
            VirtualAddress = request.VirtualAddress.ToString(),
            From = _host.OwnAddress(request.Track.Instance.Interface!, request.VirtualAddress)?.ToString(),
            Started = started,
            Completed = started + elapsed,
            DurationMilliseconds = elapsed.TotalMilliseconds,
            HoldsVip = _host.IsLocal(request.VirtualAddress),
            MaintenanceFile = _flag.Path,
        };
}
