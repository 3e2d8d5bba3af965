using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace KdcHa.Vrrp;

/// <summary>
/// One VRRP instance as one source saw it. Members a source cannot know are null (EffectivePriority from the configuration, Name on the
/// wire); Source names the source ("DBus", "Json", "Data", "Interface" or "Wire") so a reader knows how far to trust it.
/// </summary>
public sealed class VrrpInstanceState
{
    private readonly string? _family;

    public VrrpInstanceState(string name, int virtualRouterId, VrrpState state, string source)
    {
        Name = name;
        VirtualRouterId = virtualRouterId;
        State = state;
        Source = source;
    }

    public string Name { get; }

    public int VirtualRouterId { get; }

    public string? Interface { get; init; }

    /// <summary>
    /// "IPv4" or "IPv6": what keepalived's DBus object path or the advertisements on the wire say; otherwise what the
    /// virtual addresses are (keepalived keeps an instance's addresses in one family). Null when none is known.
    /// </summary>
    public string? Family
    {
        get => _family ?? FamilyOf(VirtualIPAddresses);
        init => _family = value;
    }

    public VrrpState State { get; init; }

    public int? Priority { get; init; }

    public int? EffectivePriority { get; init; }

    public IReadOnlyList<string> VirtualIPAddresses { get; init; } = Array.Empty<string>();

    /// <summary>Whether the namespace keepalived runs in holds every virtual address now; null when none is known.</summary>
    public bool? HoldsVirtualIP { get; init; }

    /// <summary>The address of the router advertising as master on the wire; null unless the wire was heard.</summary>
    public string? MasterAddress { get; init; }

    public IReadOnlyList<VrrpPeer> Peers { get; init; } = Array.Empty<VrrpPeer>();

    /// <summary>True when two or more routers advertised as master within three advertisement intervals; null unless the wire was heard.</summary>
    public bool? SplitBrain { get; init; }

    public DateTime? LastTransition { get; init; }

    public string Source { get; }

    /// <summary>A copy with what was heard on the wire for this virtual router id.</summary>
    public VrrpInstanceState WithWire(IReadOnlyList<VrrpPeer> peers, string? masterAddress, bool splitBrain) => new(Name, VirtualRouterId, State, Source)
    {
        Interface = Interface,
        Family = _family,
        Priority = Priority,
        EffectivePriority = EffectivePriority,
        VirtualIPAddresses = VirtualIPAddresses,
        HoldsVirtualIP = HoldsVirtualIP,
        LastTransition = LastTransition,
        Peers = peers,
        MasterAddress = masterAddress,
        SplitBrain = splitBrain,
    };

    /// <summary>"IPv4" or "IPv6" for an address family, the way keepalived names it.</summary>
    public static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";

    private static string? FamilyOf(IReadOnlyList<string> addresses)
    {
        foreach (var text in addresses)
        {
            if (IPAddress.TryParse(text.Split('/')[0], out var address))
            {
                return FamilyName(address.AddressFamily);
            }
        }

        return null;
    }
}

/// <summary>
/// A VRRP instance's state as keepalived names it. Stop and Deleted are keepalived's own codes (98 and 97): the
/// instance is going away. Unknown covers a code this version does not know, never a failure to read.
/// </summary>
public enum VrrpState
{
    Init,
    Backup,
    Master,
    Fault,
    Stop,
    Deleted,
    Unknown,
}

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
