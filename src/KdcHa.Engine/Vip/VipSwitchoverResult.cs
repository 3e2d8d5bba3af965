using System;

namespace KdcHa.Vip;

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
