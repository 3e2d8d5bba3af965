using System;
using System.Collections.Generic;

namespace KdcHa.Vrrp;

/// <summary>
/// Get-VrrpState's output: a VrrpInstanceState with the state as a string, because the objects leave PowerShell
/// through ConvertTo-Json (Ansible) where an enum would turn into a number. Instance and VirtualRouterId bind by
/// property name to the cmdlets that act on an instance.
/// </summary>
public sealed class VrrpStateRecord
{
    public VrrpStateRecord(VrrpInstanceState state)
    {
        Instance = state.Name;
        VirtualRouterId = state.VirtualRouterId;
        Interface = state.Interface;
        Family = state.Family;
        State = state.State.ToString();
        Priority = state.Priority;
        EffectivePriority = state.EffectivePriority;
        VirtualIPAddresses = state.VirtualIPAddresses;
        HoldsVirtualIP = state.HoldsVirtualIP;
        MasterAddress = state.MasterAddress;
        Peers = state.Peers;
        SplitBrain = state.SplitBrain;
        LastTransition = state.LastTransition;
        Source = state.Source;
    }

    public string Instance { get; }

    public int VirtualRouterId { get; }

    public string? Interface { get; }

    public string? Family { get; }

    public string State { get; }

    public int? Priority { get; }

    public int? EffectivePriority { get; }

    public IReadOnlyList<string> VirtualIPAddresses { get; }

    public bool? HoldsVirtualIP { get; }

    public string? MasterAddress { get; }

    public IReadOnlyList<VrrpPeer> Peers { get; }

    public bool? SplitBrain { get; }

    public DateTime? LastTransition { get; }

    public string Source { get; }
}
