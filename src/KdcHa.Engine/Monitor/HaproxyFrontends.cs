using System;
using System.Collections.Generic;
using System.Linq;
using KdcHa.Kerberos.Health;

namespace KdcHa.Monitor;

/// <summary>
/// The Kerberos path through HAProxy on a VIP node: the node's own frontend and its peers' frontends, each probed every
/// round with the AS exchange the KDCs get (over TCP, as HAProxy serves only TCP). A node whose own frontend fails
/// (HAProxy crashed, stopped, or lost every backend) while a peer's answers gives up the VIP, exactly as a node whose
/// KDC fails does: clients reach the VIP, and the VIP must sit where Kerberos answers. Its statuses are the status
/// file's Frontends; its changes are HealthChanged events named "frontend &lt;address&gt;".
/// </summary>
public sealed class HaproxyFrontends
{
    private readonly HealthHysteresis[] _health;
    private readonly KdcStatus[] _status;
    private bool _faulted;

    /// <param name="local">This node's frontend (<see cref="MonitoredKdc.IsLocal"/>).</param>
    /// <param name="peers">At least one other HAProxy node's frontend.</param>
    /// <param name="fall">Failed probes that take a frontend down (a refused one does at once).</param>
    /// <param name="rise">Good probes that bring it back.</param>
    public HaproxyFrontends(MonitoredKdc local, IReadOnlyList<MonitoredKdc> peers, int fall, int rise)
    {
        if (local is null || !local.IsLocal)
        {
            throw new ArgumentException("The local frontend is required and must be the local one.", nameof(local));
        }

        if (peers is null || peers.Count == 0 || peers.Any(peer => peer is null || peer.IsLocal))
        {
            throw new ArgumentException("At least one peer frontend is required, none of them local.", nameof(peers));
        }

        Paths = peers.Prepend(local).ToArray();
        _health = Paths.Select(_ => new HealthHysteresis(fall, rise)).ToArray();
        _status = Paths.Select(path => new KdcStatus { Kdc = path.Name, IsLocal = path.IsLocal, Health = KdcHealthState.Unknown }).ToArray();
    }

    /// <summary>The local frontend first, then the peers'.</summary>
    public IReadOnlyList<MonitoredKdc> Paths { get; }

    /// <summary>A failure is seen but not confirmed: the monitor probes again at once.</summary>
    public bool AwaitingConfirmation => _health.Any(health => health.AwaitingConfirmation);

    /// <summary>The name a frontend's events and status carry.</summary>
    public static string NameOf(string address) => $"frontend {address}";

    /// <summary>Feeds one round's results (in <see cref="Paths"/> order); returns the paths whose state changed, with the states before and after.</summary>
    public IReadOnlyList<(MonitoredKdc Path, KdcHealthState Previous, KdcHealthState Current, KdcHealthResult Result)> Observe(IReadOnlyList<KdcHealthResult> results, DateTime now)
    {
        var changes = new List<(MonitoredKdc, KdcHealthState, KdcHealthState, KdcHealthResult)>();
        for (var i = 0; i < Paths.Count; i++)
        {
            var (health, status, result) = (_health[i], _status[i], results[i]);
            var previous = health.State;
            var changed = health.Observe(result.Verdict);
            status.LastProbeStatus = result.Status;
            status.LastRoundTripMilliseconds = result.RoundTripMilliseconds;
            status.LastProbe = now;
            status.LastMessage = result.Message;
            status.ConsecutiveFailures = health.ConsecutiveFailures;
            if (changed)
            {
                status.Health = health.State;
                status.StateSince = now;
                changes.Add((Paths[i], previous, health.State, result));
            }
        }

        return changes;
    }

    /// <summary>
    /// Combines the KDC decision with the frontend path's: the node faults when either says so. The frontend faults the
    /// node when its own frontend is down and a peer's answered in this round; once faulted it stays so until its own
    /// frontend recovers, as a node with a failed KDC does.
    /// </summary>
    public FailoverDecision Decide(FailoverDecision kdcDecision)
    {
        var local = _health[0].State;
        var peersUp = _health.Skip(1).Count(health => !health.AwaitingConfirmation && health.State == KdcHealthState.Up);
        string? reason = null;
        if (local != KdcHealthState.Down)
        {
            _faulted = false;
        }
        else if (peersUp > 0)
        {
            _faulted = true;
            reason = $"The local HAProxy {Paths[0].Name} is down and {peersUp} peer frontend(s) answer: handing the VIP over.";
        }
        else if (_faulted)
        {
            reason = "The local HAProxy frontend is still down: staying in FAULT, the VIP stays with the peer.";
        }

        if (!_faulted || kdcDecision.Fault)
        {
            return kdcDecision;
        }

        return kdcDecision with { Fault = true, Reason = reason! };
    }

    /// <summary>The frontends as the status file shows them.</summary>
    public List<KdcStatus> Snapshot() => _status.Select(status => status.Copy()).ToList();
}
