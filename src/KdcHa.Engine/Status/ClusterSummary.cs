using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KdcHa.Monitor;
using KdcHa.Vrrp;

namespace KdcHa.Status;

/// <summary>
/// What the nodes' documents say together. Only an alive monitor's view counts for who holds a VIP: the document of
/// a killed or stalled monitor still says MASTER of what it held when it stopped.
/// </summary>
internal static class ClusterSummary
{
    public static IReadOnlyList<VipStatus> Vips(IReadOnlyList<NodeStatus> nodes)
    {
        var instances = nodes.SelectMany(node => node.Vrrp).Where(NodeStatus.IsInstance).Select(i => i.Instance).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return instances.Select(instance => new VipStatus(instance, nodes
                .Where(node => node.MonitorAlive && node.VipsHeld.Contains(instance, StringComparer.Ordinal))
                .Select(node => node.Node)
                .ToList()))
            .ToList();
    }

    public static IReadOnlyList<string> Problems(IReadOnlyList<NodeStatus> nodes, IReadOnlyList<VipStatus> vips)
    {
        var problems = new List<string>();
        if (nodes.Count == 0)
        {
            problems.Add("no node to read");
        }

        foreach (var node in nodes)
        {
            problems.AddRange(ProblemsOf(node).Select(problem => $"{node.Node}: {problem}"));
        }

        if (nodes.Any(node => node.MonitorAlive))
        {
            if (vips.Count == 0)
            {
                problems.Add("no monitor reports a VRRP instance, so who holds the VIP is unknown (is keepalived's notify FIFO given to the monitor?)");
            }
        }
        else if (nodes.Count > 0)
        {
            problems.Add("no node has an alive monitor");
        }

        foreach (var vip in vips.Where(vip => vip.Holders.Count != 1))
        {
            problems.Add(vip.Holders.Count == 0
                ? $"VIP {vip.Instance}: no node with an alive monitor holds it"
                : $"VIP {vip.Instance}: held by {string.Join(" and ", vip.Holders)} at once (split brain)");
        }

        return problems;
    }

    /// <summary>
    /// The latest MASTER transition an alive monitor reports, and why as far as the other nodes tell: a peer that
    /// asserted FAULT (its KDC went down), a peer whose monitor is gone, a peer in maintenance, or else keepalived's
    /// own election (a start, or a preemption back to the higher priority).
    /// </summary>
    public static FailoverRecord? LastFailover(IReadOnlyList<NodeStatus> nodes)
    {
        var latest = nodes.Where(node => node.MonitorAlive)
            .SelectMany(node => node.Vrrp.Where(i => NodeStatus.IsInstance(i) && i.InstanceState == VrrpState.Master).Select(i => (node, instance: i)))
            .OrderByDescending(master => master.instance.StateSince)
            .FirstOrDefault();
        if (latest.node is null)
        {
            return null;
        }

        var causes = nodes.Where(node => node != latest.node).Select(PeerCause).OfType<string>().ToList();
        var reason = causes.Count > 0 ? string.Join("; ", causes) : "keepalived's election (a start, or a preemption by priority)";
        return new FailoverRecord(latest.instance.StateSince, latest.node.Node, latest.instance.Instance, reason);
    }

    private static string? PeerCause(NodeStatus peer) => peer switch
    {
        { Reach: not NodeReachability.Reachable } => $"{peer.Node} is {peer.Reachability.ToLowerInvariant()}",
        { MonitorAlive: false } => $"{peer.Node}'s monitor is {peer.Monitor.ToLowerInvariant()}",
        { Fault: true } => $"{peer.Node} handed it over: {peer.Reason}",
        { Maintenance.Count: > 0 } => $"{peer.Node} is in maintenance",
        _ => null,
    };

    private static IEnumerable<string> ProblemsOf(NodeStatus node)
    {
        if (node.Reach != NodeReachability.Reachable)
        {
            yield return $"{node.Reachability.ToLowerInvariant()}: {node.Error}";
            yield break;
        }

        if (!node.MonitorAlive)
        {
            yield return node.Monitor == "Stopped"
                ? $"the monitor is stopped ({node.Reason})"
                : $"the monitor has not updated its status since {Time(node.Updated)}: it stalled or died";
            yield break;
        }

        if (node.Fault)
        {
            yield return $"the monitor holds VRRP in FAULT since {Time(node.FaultSince)}: {node.Reason}";
        }

        if (node.AllKdcsDown)
        {
            yield return "every KDC it probes is down";
        }

        // A frontend's name already says "frontend <address>".
        var seen = node.Kdcs.Select(kdc => (Kind: "KDC", Kdc: kdc)).Concat(node.Frontends.Select(frontend => (Kind: "HAProxy", Kdc: frontend)));
        foreach (var (kind, kdc) in seen.Where(view => view.Kdc.Health != KdcHealthState.Up))
        {
            yield return kdc.Health == KdcHealthState.Unknown
                ? $"{kind} {kdc.Kdc} has no verdict yet"
                : $"{kind} {kdc.Kdc} is down since {Time(kdc.StateSince)} ({kdc.LastProbeStatus}: {kdc.LastMessage})";
        }

        // A FAULT the monitor asserts is reported above; any other state but MASTER and BACKUP is keepalived's own trouble.
        foreach (var instance in node.Vrrp.Where(i => NodeStatus.IsInstance(i) && i.InstanceState is not (VrrpState.Master or VrrpState.Backup) && !(node.Fault && i.InstanceState == VrrpState.Fault)))
        {
            yield return $"VRRP {instance.Instance} is {instance.State} since {Time(instance.StateSince)}";
        }

        foreach (var splitBrain in node.SplitBrains)
        {
            yield return $"split brain on virtual router {splitBrain.VirtualRouterId} since {Time(splitBrain.Since)}: masters {string.Join(", ", splitBrain.Masters)}";
        }

        if (node.Maintenance.Count > 0)
        {
            yield return $"in maintenance ({string.Join(", ", node.Maintenance)}) until Move-KdcVip -Restore: no standby for the VIP";
        }
    }

    private static string Time(DateTime? time) => time is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z" : "an unknown time";
}
