using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using KdcHa.Configuration;

namespace KdcHa.Keepalived;

/// <summary>
/// Writes the keepalived.conf of one KdcHa node: a VRRP instance for the KDC VIP that the KdcHa monitor drives
/// through a weight-0 fault file (FAULT: the master leaves with a priority-0 advert, the fastest hand-over) and a
/// heartbeat whose staleness lowers the priority (a node whose monitor died or stalled yields to a supervised one;
/// when every monitor is dead all nodes lose the same weight and the VIP stays). Active-active, it writes one such
/// instance per VIP, all on the same fault file and heartbeat. Comments in the output say why.
/// </summary>
public static class KeepalivedConfigWriter
{
    // How long each heartbeat check runs: just under the 1 s script interval, so a stale heartbeat is seen within
    // ~50 ms however its staleness falls against the interval, with one fork per second and not per check.
    private const int CheckBudgetMilliseconds = 900;
    private const int CheckStepMilliseconds = 50;

    // Linux IFNAMSIZ is 16 including the terminating NUL.
    private static readonly Regex InterfaceName = new("^[A-Za-z0-9_.@-]{1,15}$", RegexOptions.CultureInvariant);

    /// <exception cref="ConfigurationException">The first invalid setting.</exception>
    public static string Write(KeepalivedNodeSettings settings)
    {
        if (settings is null)
        {
            throw new ArgumentNullException(nameof(settings));
        }

        Validate(settings);
        var instances = InstancesOf(settings);
        var faultFile = Path.Combine(settings.StateDirectory, "fault");
        var heartbeatFile = Path.Combine(settings.StateDirectory, "heartbeat");
        var staleSeconds = (settings.HeartbeatStaleMilliseconds / 1000m).ToString(CultureInfo.InvariantCulture);
        var steps = CheckBudgetMilliseconds / CheckStepMilliseconds;
        var step = (CheckStepMilliseconds / 1000m).ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append($@"# keepalived.conf for KdcHa node {settings.RouterId}, written by New-KdcHaKeepalivedConfig.
# The KdcHa monitor (Start-KdcHaMonitor -StateDirectory {settings.StateDirectory}) drives {(instances.Count == 1 ? "this instance" : "these instances")}; keep the
# state directory the same on both sides.
");
        if (settings.ActiveActiveNode is not null)
        {
            AppendActiveActiveHeader(text, settings, instances);
        }

        text.Append($@"
global_defs {{
    router_id {settings.RouterId}
    # State transitions, in order, for the monitor (keepalived writes; the monitor reads).
    notify_fifo {settings.NotifyFifo}
    # The heartbeat check runs as root without a shell; refuse scripts that other users could modify.
    script_user root
    enable_script_security
    # VRRPv{settings.VrrpVersion}: {(settings.VrrpVersion == 3 ? "sub-second advert_int is only possible in version 3." : "needed for auth_type; advert_int is whole seconds.")}
    vrrp_version {settings.VrrpVersion}
}}

# Health: the monitor writes 1 here when the local KDC is down and a peer KDC is up, 0 otherwise (atomic rename,
# seen at once through inotify). weight 0 puts {(instances.Count == 1 ? "the instance" : "every instance of this node")} in FAULT: a master leaves with a priority-0 advert and
# the backup takes over after its skew time alone, instead of waiting out the master-down timer.
track_file kdcha_fault {{
    file ""{faultFile}""
    weight 0
    # A missing file reads as healthy; an existing one (left by a previous run) is kept.
    init_file 0
}}

# Supervision: the monitor refreshes this file every probe round. When it is older than {staleSeconds} s (monitor
# dead or stalled) the priority drops by {settings.MonitorWeight}, so a node whose monitor is alive takes the VIP; when
# every monitor is dead all nodes drop alike and the VIP stays. Each check watches the file for {CheckBudgetMilliseconds} ms
# (one fork per second, not per check), so staleness is seen within {CheckStepMilliseconds} ms.
vrrp_script kdcha_monitor_alive {{
    script ""/usr/bin/perl -MTime::HiRes=time,stat,sleep -e for(1..{steps}){{exit(1)if(time-(stat(@ARGV[0]))[9]>@ARGV[1]);sleep({step})}} {heartbeatFile} {staleSeconds}""
    interval 1
    timeout 2
    fall 1
    rise 1
    weight -{settings.MonitorWeight}
}}
");
        foreach (var instance in instances)
        {
            AppendInstance(text, settings, instance);
        }

        return text.ToString();
    }

    /// <summary>
    /// The instances of this node: the one of the single-VIP form, or with <see cref="KeepalivedNodeSettings.ActiveActiveNode"/>
    /// one per address, where instance i's priorities rotate so node i is its primary, node i+1 its first backup, and so on.
    /// </summary>
    private static IReadOnlyList<InstancePlan> InstancesOf(KeepalivedNodeSettings settings)
    {
        if (settings.ActiveActiveNode is not { } node)
        {
            return new[] { new InstancePlan(settings.InstanceName, settings.VirtualRouterId, settings.Priority, settings.VirtualAddress) };
        }

        var count = settings.VirtualAddress.Count;
        return settings.VirtualAddress.Select((address, index) => new InstancePlan(
                ActiveActiveInstanceName(settings.InstanceName, index + 1),
                settings.VirtualRouterId + index,
                settings.Priority - (((node - 1 - index + count) % count) * settings.PriorityStep),
                new[] { address }))
            .ToArray();
    }

    /// <summary>The name of the active-active instance whose primary is node <paramref name="primaryNode"/> (1-based).</summary>
    public static string ActiveActiveInstanceName(string instanceName, int primaryNode) =>
        instanceName + "_" + primaryNode.ToString(CultureInfo.InvariantCulture);

    private static void AppendActiveActiveHeader(StringBuilder text, KeepalivedNodeSettings settings, IReadOnlyList<InstancePlan> instances)
    {
        var ownIndex = settings.ActiveActiveNode!.Value - 1;
        var own = instances[ownIndex];
        text.Append($@"#
# Active-active: node {settings.ActiveActiveNode} of {instances.Count}, one VRRP instance per VIP. This node is the primary of {own.Name}
# ({own.Addresses[0]}, priority {own.Priority}) and a backup of the others, at {settings.PriorityStep} less per step along the rotation.
# One fault file drives every instance: a node whose KDC fails gives all its VIPs away, and the other nodes keep theirs.
#
# krb5.conf for the clients, every VIP (clients try them in order: give each group of clients the list rotated to
# its own first VIP to spread the load; this rotation starts with this node's):
#   [realms]
#       YOUR.REALM = {{
");
        for (var i = 0; i < instances.Count; i++)
        {
            text.Append($"#           kdc = {Krb5Host(instances[(ownIndex + i) % instances.Count].Addresses[0])}\n");
        }

        text.Append("#       }\n");
    }

    private static void AppendInstance(StringBuilder text, KeepalivedNodeSettings settings, InstancePlan instance)
    {
        var maintenanceTrack = MaintenanceTrack.NameFor(instance.Name);
        var maintenanceFile = Path.Combine(settings.StateDirectory, MaintenanceTrack.StateDirectoryFilePrefix + instance.Name);
        var advert = settings.AdvertIntervalSeconds.ToString(CultureInfo.InvariantCulture);
        var downTimerAdverts = settings.EffectiveDownTimerAdverts;
        var skew = (256m - instance.Priority) / 256m * (settings.VrrpVersion == 3 ? settings.AdvertIntervalSeconds : 1m);
        var silence = ((downTimerAdverts * settings.AdvertIntervalSeconds) + skew).ToString("0.##", CultureInfo.InvariantCulture);
        text.Append($@"
# Planned maintenance: Move-KdcVip -Instance {instance.Name} writes 1 here to hand the VIP over and keep it
# away, across keepalived restarts too; Move-KdcVip -Restore writes 0. weight {MaintenanceTrack.DeepestStandbyWeight} drops this node to the lowest
# priority without FAULT: it keeps the VIP and advertises until a peer's master-down timer ends, and it still takes
# the VIP back if every peer fails during the maintenance. The peer sends its first advert before it adds the VIP
# (keepalived's vrrp_state_master_tx) and this node drops the VIP on receiving it, so the two swap it within about a
# millisecond, in either order (lab: -0.6 to +1.5 ms, no holder in 12 of 40 moves); a request a client sends here
# before the peer's gratuitous ARP reaches it is lost and waits for its retransmission (MIT krb5: 1 s).
track_file {maintenanceTrack} {{
    file ""{maintenanceFile}""
    weight {MaintenanceTrack.DeepestStandbyWeight}
    init_file 0
}}

vrrp_instance {instance.Name} {{
    # Every node starts as BACKUP: the election (priority, then address) picks the master, never a static role.
    state BACKUP
    interface {settings.Interface}
    virtual_router_id {instance.VirtualRouterId}
    priority {instance.Priority}
    advert_int {advert}
    # A backup takes over after {downTimerAdverts} missed adverts plus its skew (about {silence} s of silence). KdcHa's own failover
    # never waits for this (FAULT sends a priority-0 advert at once); it bounds only what sends no advert: a dead node
    # or keepalived, and a priority drop (a dead monitor, Move-KdcVip). Fewer turn packet loss into elections.
    down_timer_adverts {downTimerAdverts}
");
        if (settings.NoPreempt)
        {
            text.Append("    # No preemption: a recovered node with a higher priority does not take the VIP back.\n    nopreempt\n");
        }

        if (settings.UnicastPeer.Count > 0)
        {
            if (settings.UnicastSourceAddress is not null)
            {
                text.Append($"    unicast_src_ip {settings.UnicastSourceAddress}\n");
            }

            text.Append("    # Unicast adverts, for networks that filter multicast; FAULT rather than a silent fallback when no peer is configured.\n    unicast_peer {\n");
            foreach (var peer in settings.UnicastPeer)
            {
                text.Append($"        {peer}\n");
            }

            text.Append("    }\n    unicast_fault_no_peer\n");
        }

        if (settings.AuthenticationPassword is not null)
        {
            text.Append($"    # VRRPv2 simple password: guards against a misconfigured neighbour, not an attacker (it is sent in clear).\n    authentication {{\n        auth_type PASS\n        auth_pass {settings.AuthenticationPassword}\n    }}\n");
        }

        text.Append("    virtual_ipaddress {\n");
        foreach (var address in instance.Addresses)
        {
            text.Append($"        {(address.Contains("/") ? address : address + (IsIPv6(address) ? "/128" : "/32"))} dev {settings.Interface}\n");
        }

        text.Append($"    }}\n    track_file {{\n        kdcha_fault\n        {maintenanceTrack}\n    }}\n    track_script {{\n        kdcha_monitor_alive\n    }}\n}}\n");
    }

    // MIT krb5.conf reads "host:port", so an IPv6 address needs brackets.
    private static string Krb5Host(string address)
    {
        var host = address.Split('/')[0];
        return IsIPv6(host) ? "[" + host + "]" : host;
    }

    private static void Validate(KeepalivedNodeSettings settings)
    {
        ConfigurationException.ThrowUnless(!string.IsNullOrWhiteSpace(settings.RouterId) && !settings.RouterId.Any(char.IsWhiteSpace), nameof(settings.RouterId), "must be one word");
        ConfigurationException.ThrowUnless(Regex.IsMatch(settings.InstanceName, "^[A-Za-z0-9_-]{1,64}$"), nameof(settings.InstanceName), "must be 1-64 letters, digits, '_' or '-'");
        ConfigurationException.ThrowUnless(InterfaceName.IsMatch(settings.Interface), nameof(settings.Interface), $"'{settings.Interface}' is not a Linux interface name (1-15 characters, no spaces or '/')");
        ConfigurationException.ThrowUnless(settings.VirtualRouterId is >= 1 and <= 255, nameof(settings.VirtualRouterId), "must be between 1 and 255");
        ConfigurationException.ThrowUnless(settings.Priority is >= 1 and <= 254, nameof(settings.Priority), "must be between 1 and 254 (255 is reserved for the address owner)");
        ConfigurationException.ThrowUnless(settings.VrrpVersion is 2 or 3, nameof(settings.VrrpVersion), "must be 2 or 3");
        ConfigurationException.ThrowUnless(settings.VrrpVersion == 3
                ? settings.AdvertIntervalSeconds is >= 0.01m and <= 40.95m && decimal.Remainder(settings.AdvertIntervalSeconds * 100, 1) == 0
                : settings.AdvertIntervalSeconds is >= 1 and <= 255 && decimal.Remainder(settings.AdvertIntervalSeconds, 1) == 0,
            nameof(settings.AdvertIntervalSeconds),
            settings.VrrpVersion == 3 ? "must be 0.01-40.95 s in steps of 0.01 s for VRRPv3" : "must be whole seconds (1-255) for VRRPv2");
        ConfigurationException.ThrowUnless(settings.DownTimerAdverts is null or (>= 1 and <= 100), nameof(settings.DownTimerAdverts), "must be between 1 and 100");
        ConfigurationException.ThrowUnless(settings.AuthenticationPassword is null || settings.VrrpVersion == 2, nameof(settings.AuthenticationPassword),
            "needs VrrpVersion 2: VRRPv3 has no authentication");
        ConfigurationException.ThrowUnless(settings.AuthenticationPassword is null || Regex.IsMatch(settings.AuthenticationPassword, "^[!-~]{1,8}$"), nameof(settings.AuthenticationPassword),
            "must be 1-8 printable characters without spaces (keepalived truncates longer ones)");
        ConfigurationException.ThrowUnless(settings.VirtualAddress.Count > 0, nameof(settings.VirtualAddress), "needs at least one address");
        foreach (var address in settings.VirtualAddress)
        {
            ConfigurationException.ThrowUnlessAddress(nameof(settings.VirtualAddress), address, allowPrefix: true);
        }

        if (settings.ActiveActiveNode is { } node)
        {
            ValidateActiveActive(settings, node);
        }
        else
        {
            ConfigurationException.ThrowUnless(settings.VirtualAddress.Select(IsIPv6).Distinct().Count() == 1, nameof(settings.VirtualAddress), "must all be IPv4 or all IPv6 (one family per VRRP instance)");
        }

        foreach (var peer in settings.UnicastPeer)
        {
            ConfigurationException.ThrowUnlessAddress(nameof(settings.UnicastPeer), peer, allowPrefix: false);
        }

        if (settings.UnicastSourceAddress is not null)
        {
            ConfigurationException.ThrowUnlessAddress(nameof(settings.UnicastSourceAddress), settings.UnicastSourceAddress, allowPrefix: false);
        }

        ConfigurationException.ThrowUnless(settings.MonitorWeight is >= 1 and <= 253, nameof(settings.MonitorWeight), "must be between 1 and 253");
        ConfigurationException.ThrowUnless(settings.HeartbeatStaleMilliseconds is >= 100 and <= 60000, nameof(settings.HeartbeatStaleMilliseconds), "must be between 100 and 60000");
        ConfigurationException.ThrowUnless(Path.IsPathRooted(settings.StateDirectory) && !settings.StateDirectory.Any(char.IsWhiteSpace), nameof(settings.StateDirectory), "must be an absolute path without spaces");
        ConfigurationException.ThrowUnless(Path.IsPathRooted(settings.NotifyFifo) && !settings.NotifyFifo.Any(char.IsWhiteSpace), nameof(settings.NotifyFifo), "must be an absolute path without spaces");
    }

    private static void ValidateActiveActive(KeepalivedNodeSettings settings, int node)
    {
        var count = settings.VirtualAddress.Count;
        var lowest = settings.Priority - ((count - 1) * settings.PriorityStep);
        ConfigurationException.ThrowUnless(count >= 2, nameof(settings.VirtualAddress), "needs one address per node, at least two, for active-active");
        ConfigurationException.ThrowUnless(settings.VirtualAddress.Select(address => address.Split('/')[0]).Distinct(StringComparer.OrdinalIgnoreCase).Count() == count,
            nameof(settings.VirtualAddress), "must not repeat an address: each is the VIP of one node");
        ConfigurationException.ThrowUnless(node >= 1 && node <= count, nameof(settings.ActiveActiveNode), $"must be between 1 and {count}, this node's place in VirtualAddress");
        ConfigurationException.ThrowUnless(settings.VirtualRouterId + count - 1 <= 255, nameof(settings.VirtualRouterId),
            $"must leave room for {count} consecutive VRIDs (at most {256 - count})");
        ConfigurationException.ThrowUnless(settings.InstanceName.Length + 1 + count.ToString(CultureInfo.InvariantCulture).Length <= 64, nameof(settings.InstanceName),
            "must leave room for the instance number (names are at most 64 characters)");
        ConfigurationException.ThrowUnless(settings.PriorityStep is >= 1 and <= 253, nameof(settings.PriorityStep), "must be between 1 and 253");
        ConfigurationException.ThrowUnless(lowest >= 1, nameof(settings.PriorityStep),
            $"leaves the last backup at priority {lowest}: Priority - (nodes - 1) x PriorityStep must be at least 1");
        ConfigurationException.ThrowUnless(settings.MonitorWeight > (count - 1) * settings.PriorityStep, nameof(settings.MonitorWeight),
            $"must exceed the largest priority gap, {(count - 1) * settings.PriorityStep} ((nodes - 1) x PriorityStep), so a node with a dead monitor yields every VIP");
    }

    private static bool IsIPv6(string address) => address.Contains(":");

    private sealed record InstancePlan(string Name, int VirtualRouterId, int Priority, IReadOnlyList<string> Addresses);
}

/// <summary>What <see cref="KeepalivedConfigWriter"/> needs to write one node's keepalived.conf.</summary>
public sealed class KeepalivedNodeSettings
{
    public string RouterId { get; set; } = Environment.MachineName;

    public string InstanceName { get; set; } = "KDC_VIP";

    public string Interface { get; set; } = string.Empty;

    public int VirtualRouterId { get; set; } = 51;

    public int Priority { get; set; } = 100;

    public IReadOnlyList<string> VirtualAddress { get; set; } = Array.Empty<string>();

    public int VrrpVersion { get; set; } = 3;

    public decimal AdvertIntervalSeconds { get; set; } = 0.1m;

    /// <summary>
    /// Missed adverts before a backup takes over (keepalived's down_timer_adverts, 1-100); null means
    /// <see cref="EffectiveDownTimerAdverts"/>'s default.
    /// </summary>
    public int? DownTimerAdverts { get; set; }

    /// <summary>
    /// <see cref="DownTimerAdverts"/>, or by default as many adverts as fit in <see cref="DefaultSilence"/>, never fewer
    /// than the RFC's 3: 8 at 0.1 s, 3 at 1 s.
    /// </summary>
    public int EffectiveDownTimerAdverts => DownTimerAdverts ?? Math.Clamp((int)Math.Floor(DefaultSilence / AdvertIntervalSeconds), 3, 100);

    /// <summary>
    /// The silence a backup waits out by default before it takes over. Under a second, so an MIT client whose request
    /// met a dead master retransmits (after 1 s) to the new one; long enough that 30 % loss almost never makes
    /// 8 adverts in a row go missing (at 0.1 s adverts, about once in 35 minutes).
    /// </summary>
    public const decimal DefaultSilence = 0.8m;

    public string? UnicastSourceAddress { get; set; }

    public IReadOnlyList<string> UnicastPeer { get; set; } = Array.Empty<string>();

    public string? AuthenticationPassword { get; set; }

    public bool NoPreempt { get; set; }

    public string StateDirectory { get; set; } = MonitorConfiguration.DefaultStateDirectory;

    public string NotifyFifo { get; set; } = MonitorConfiguration.DefaultStateDirectory + "/notify.fifo";

    /// <summary>Subtracted from the priority while the monitor's heartbeat is stale; must exceed every priority gap in the group.</summary>
    public int MonitorWeight { get; set; } = 150;

    public int HeartbeatStaleMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Null: one instance holds every <see cref="VirtualAddress"/>. Set (1-based): active-active, one instance per
    /// address, and this node, number <c>ActiveActiveNode</c>, is the primary of the instance of that address.
    /// </summary>
    public int? ActiveActiveNode { get; set; }

    /// <summary>Active-active: how far each further backup of an instance sits below <see cref="Priority"/>, the primary's.</summary>
    public int PriorityStep { get; set; } = 10;
}
