using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using KdcHa.Keepalived;
using KdcHa.Kerberos.Health;

namespace KdcHa.Vip;

/// <summary>A move of one instance's VIP away from this node.</summary>
public sealed class SwitchoverRequest
{
    public SwitchoverRequest(MaintenanceTrack track)
    {
        Track = track ?? throw new ArgumentNullException(nameof(track));
    }

    public MaintenanceTrack Track { get; }

    /// <summary>The addresses the new master may advertise from; empty accepts any peer.</summary>
    public IReadOnlyCollection<IPAddress> To { get; init; } = Array.Empty<IPAddress>();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Demote even when this node does not hold the VIP, and stay demoted when no healthy peer took over in time
    /// instead of rolling back.
    /// </summary>
    public bool Force { get; init; }

    public IPAddress VirtualAddress => Track.Instance.VirtualAddresses[0];
}

/// <summary>Where a switchover is; reported as progress and named in a timeout.</summary>
public enum SwitchoverStage
{
    Demoting,
    WaitingForPeer,
    WaitingForRelease,
    ProbingVip,
    RollingBack,
    Restoring,
}

/// <summary>What a switchover saw on the way, so a timeout can say why it timed out.</summary>
internal sealed class SwitchoverObservation
{
    private readonly Dictionary<IPAddress, (int Count, int LastPriority)> _advertisers = new();

    public KdcHealthResult? LastProbe { get; set; }

    public int ProbeCount { get; private set; }

    public void Heard(PeerAdvertisement advertisement)
    {
        _advertisers.TryGetValue(advertisement.Source, out var seen);
        _advertisers[advertisement.Source] = (seen.Count + 1, advertisement.Priority);
    }

    public void Probed(KdcHealthResult result)
    {
        LastProbe = result;
        ProbeCount++;
    }

    public string DescribeAdvertisements(KeepalivedInstance instance) =>
        _advertisers.Count == 0
            ? $"No VRRP advertisement for virtual router {instance.VirtualRouterId} was heard on {instance.Interface}."
            : "Heard VRRP advertisements from " +
              string.Join(", ", _advertisers.Select(pair => $"{pair.Key} ({pair.Value.Count}x, last priority {pair.Value.LastPriority})")) + ".";

    public string DescribeProbes(IPAddress vip) =>
        LastProbe is null
            ? string.Empty
            : $" The last of {ProbeCount} Kerberos probes of {vip} found {LastProbe.Status}: {LastProbe.Message}";
}

/// <summary>
/// What a Move-KdcVip did and the evidence that clients are served. Enumerations are names and durations numbers,
/// so the object serialises flat with ConvertTo-Json for Ansible.
/// </summary>
public sealed record VipSwitchoverResult
{
    public string Instance { get; init; } = string.Empty;

    /// <summary>Move, Restore, Take or Release.</summary>
    public string Operation { get; init; } = string.Empty;

    /// <summary>Standby or Fault (keepalived, from the track_file weight), or Direct.</summary>
    public string Mode { get; init; } = string.Empty;

    public string VirtualAddress { get; init; } = string.Empty;

    /// <summary>This node's own address on the VRRP interface.</summary>
    public string? From { get; init; }

    /// <summary>The address the new master advertises from.</summary>
    public string? To { get; init; }

    public int? NewMasterPriority { get; init; }

    public DateTime Started { get; init; }

    public DateTime Completed { get; init; }

    /// <summary>From the demotion to the first healthy Kerberos answer from the VIP.</summary>
    public double DurationMilliseconds { get; init; }

    /// <summary>From the demotion to the first advertisement of the new master.</summary>
    public double? PeerMasterMilliseconds { get; init; }

    /// <summary>From the demotion to the VIP leaving this node.</summary>
    public double? ReleasedMilliseconds { get; init; }

    public string? VipProbeStatus { get; init; }

    public double? VipProbeMilliseconds { get; init; }

    /// <summary>Whether this node is left demoted (until Move-KdcVip -Restore).</summary>
    public bool Demoted { get; init; }

    public bool HoldsVip { get; init; }

    /// <summary>A peer advertised as master, the VIP left this node and answered a Kerberos probe.</summary>
    public bool Verified { get; init; }

    public string MaintenanceFile { get; init; } = string.Empty;

    public string Message { get; init; } = string.Empty;
}
