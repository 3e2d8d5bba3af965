using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KdcHa.Monitor;
using KdcHa.Vrrp;

namespace KdcHa.Status;

public enum NodeReachability
{
    /// <summary>The source answered with a monitor status.</summary>
    Reachable,

    /// <summary>No answer: no file, no listener, a timeout, an HTTP error.</summary>
    Unreachable,

    /// <summary>An answer that is not a monitor status (too large, malformed, wrong types).</summary>
    Invalid,
}

/// <summary>
/// One node as Get-KdcHaStatus shows it: its monitor's status document, or why there is none. States are names
/// (strings), so the object converts to JSON as it reads.
/// </summary>
public sealed class NodeStatus
{
    private NodeStatus(string node, string source, NodeReachability reachability)
    {
        Node = node;
        Source = source;
        Reach = reachability;
    }

    /// <summary>The node the document names; for a source that gave none, the computer name, URI host or path asked.</summary>
    public string Node { get; }

    /// <summary>The status file or URI read.</summary>
    public string Source { get; }

    /// <summary>Reachable, Unreachable or Invalid.</summary>
    public string Reachability => Reach.ToString();

    /// <summary>Why the node is Unreachable or Invalid; empty when Reachable.</summary>
    public string Error { get; private init; } = string.Empty;

    /// <summary>Running, Stale (says Running but stopped updating: stalled or killed), Stopped, or Unknown when unreachable.</summary>
    public string Monitor { get; private init; } = "Unknown";

    /// <summary>Running and updating: only an alive monitor's view of the KDCs and of VRRP is current.</summary>
    public bool MonitorAlive => Monitor == "Running";

    public DateTime? MonitorStarted { get; private init; }

    public DateTime? Updated { get; private init; }

    public int? ProcessId { get; private init; }

    /// <summary>The monitor holds this node's VRRP instance in FAULT: its KDC is down and a peer's is up.</summary>
    public bool Fault { get; private init; }

    public DateTime? FaultSince { get; private init; }

    public bool AllKdcsDown { get; private init; }

    /// <summary>The monitor's last decision, or why it stopped.</summary>
    public string Reason { get; private init; } = string.Empty;

    /// <summary>Every KDC this node's monitor probes, as it last saw it.</summary>
    public IReadOnlyList<KdcStatus> Kdcs { get; private init; } = Array.Empty<KdcStatus>();

    /// <summary>On an HAProxy node (Start-KdcHaMonitor -LocalFrontend), its own and its peers' frontends as it last saw them; else empty.</summary>
    public IReadOnlyList<KdcStatus> Frontends { get; private init; } = Array.Empty<KdcStatus>();

    /// <summary>keepalived's instances and sync groups as its notify FIFO last reported them to the monitor.</summary>
    public IReadOnlyList<VrrpInstanceStatus> Vrrp { get; private init; } = Array.Empty<VrrpInstanceStatus>();

    /// <summary>The VRRP instances this node is MASTER of, so keepalived holds their virtual addresses here.</summary>
    public IReadOnlyList<string> VipsHeld => Vrrp.Where(i => IsInstance(i) && i.InstanceState == VrrpState.Master).Select(i => i.Instance).ToList();

    public IReadOnlyList<SplitBrainStatus> SplitBrains { get; private init; } = Array.Empty<SplitBrainStatus>();

    /// <summary>Instances whose maintenance flag (Move-KdcVip) is set in the node's state directory; read from local status files only.</summary>
    public IReadOnlyList<string> Maintenance { get; private init; } = Array.Empty<string>();

    internal NodeReachability Reach { get; }

    public static NodeStatus Read(MonitorStatus status, string source, bool isStale, IReadOnlyList<string>? maintenance = null) => new(status.Node, source, NodeReachability.Reachable)
    {
        Monitor = status.RunState == MonitorRunState.Stopped ? "Stopped" : isStale ? "Stale" : "Running",
        MonitorStarted = status.Started,
        Updated = status.Updated,
        ProcessId = status.ProcessId,
        Fault = status.Fault,
        FaultSince = status.FaultSince,
        AllKdcsDown = status.AllKdcsDown,
        Reason = status.Reason,
        Kdcs = status.Kdcs,
        Frontends = (IReadOnlyList<KdcStatus>?)status.Frontends ?? Array.Empty<KdcStatus>(),
        Vrrp = status.Vrrp,
        SplitBrains = status.SplitBrains,
        Maintenance = maintenance ?? Array.Empty<string>(),
    };

    public static NodeStatus Unreachable(string node, string source, string error) => new(node, source, NodeReachability.Unreachable) { Error = error };

    public static NodeStatus Invalid(string node, string source, string error) => new(node, source, NodeReachability.Invalid) { Error = error };

    /// <summary>One line for the cluster's list view: reachability or monitor, VRRP, then every KDC.</summary>
    public override string ToString()
    {
        if (Reach != NodeReachability.Reachable)
        {
            return $"{Node}: {Reachability}: {Error}";
        }

        var vrrp = Vrrp.Where(IsInstance).Select(i => $"{i.Instance} {i.State}{(i.Priority is { } p ? " " + p.ToString(CultureInfo.InvariantCulture) : string.Empty)}");
        static string Seen(KdcStatus k) => k.Health == KdcHealthState.Up
            ? string.Create(CultureInfo.InvariantCulture, $"{k.Kdc} Up {k.LastRoundTripMilliseconds:0.0} ms")
            : $"{k.Kdc} {k.State} ({k.LastProbeStatus})";
        var flags = new[] { Fault ? "FAULT" : null, AllKdcsDown ? "ALL KDCS DOWN" : null, SplitBrains.Count > 0 ? "SPLIT BRAIN" : null, Maintenance.Count > 0 ? "MAINTENANCE" : null }
            .OfType<string>();
        return string.Join("  ", new[] { $"{Node}: monitor {Monitor}", string.Join(", ", vrrp), string.Join(" ", flags), "KDCs " + string.Join("; ", Kdcs.Select(Seen)), Frontends.Count > 0 ? "HAProxy " + string.Join("; ", Frontends.Select(Seen)) : string.Empty }.Where(part => part.Length > 0));
    }

    /// <summary>A VRRP instance, not a sync group: only instances hold addresses.</summary>
    internal static bool IsInstance(VrrpInstanceStatus instance) => !string.Equals(instance.Kind, "GROUP", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Which nodes are MASTER of one VRRP instance, by their alive monitors: one is right, none or two are not.</summary>
public sealed record VipStatus(string Instance, IReadOnlyList<string> Holders)
{
    public override string ToString() => $"{Instance}: {(Holders.Count == 0 ? "none" : string.Join(", ", Holders))}";
}

/// <summary>The last VIP move the nodes' documents show: who became MASTER of which instance, when, and why as far as the peers tell.</summary>
public sealed record FailoverRecord(DateTime Timestamp, string Node, string Instance, string Reason)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Timestamp:yyyy-MM-dd HH:mm:ss}Z {Node} became MASTER of {Instance}: {Reason}");
}

/// <summary>The whole cluster in one object: who serves, healthy or not and why, and every node.</summary>
public sealed class ClusterStatus
{
    public ClusterStatus(IReadOnlyList<NodeStatus> nodes, DateTime checkedAt)
    {
        Nodes = nodes ?? throw new ArgumentNullException(nameof(nodes));
        Checked = checkedAt;
        Vips = ClusterSummary.Vips(nodes);
        Problems = ClusterSummary.Problems(nodes, Vips);
        LastFailover = ClusterSummary.LastFailover(nodes);
    }

    /// <summary>Every node reachable with an alive monitor, every KDC up in every view, each VIP on exactly one node, no fault, split brain or maintenance.</summary>
    public bool Healthy => Nodes.Count > 0 && Problems.Count == 0;

    /// <summary>The node(s) holding the VIPs; empty when none does.</summary>
    public string Serving => string.Join(", ", Vips.SelectMany(vip => vip.Holders).Distinct(StringComparer.Ordinal));

    public IReadOnlyList<VipStatus> Vips { get; }

    public int NodesReachable => Nodes.Count(node => node.Reach == NodeReachability.Reachable);

    public bool SplitBrain => Vips.Any(vip => vip.Holders.Count > 1) || Nodes.Any(node => node.MonitorAlive && node.SplitBrains.Count > 0);

    public FailoverRecord? LastFailover { get; }

    /// <summary>Why the cluster is not healthy, one line each, node first; empty when it is.</summary>
    public IReadOnlyList<string> Problems { get; }

    public IReadOnlyList<NodeStatus> Nodes { get; }

    /// <summary>When the view was taken (UTC).</summary>
    public DateTime Checked { get; }
}
