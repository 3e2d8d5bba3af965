using System;
using System.Collections.Generic;
using System.Linq;
using KdcHa.Kerberos.Health;

namespace KdcHa.Monitor;

/// <summary>A KDC's health after hysteresis: one probe result alone never flips it (except a definitive failure).</summary>
public enum KdcHealthState
{
    /// <summary>No verdict yet: treated as not down, so a starting monitor never faults its node on a guess.</summary>
    Unknown,
    Up,
    Down,
}

/// <summary>What the node should tell keepalived, and why.</summary>
/// <param name="Fault">True: put this node's VRRP instance in FAULT so a peer takes the VIP.</param>
/// <param name="AllKdcsDown">True when no KDC of the group is up: the VIP stays put and a Critical alert is due.</param>
/// <param name="Reason">Why, in words for the log and the status file.</param>
public sealed record FailoverDecision(bool Fault, bool AllKdcsDown, string Reason);

/// <summary>
/// Decides whether the local node must give up the VIP. A node faults itself only when its own KDC is down
/// <em>and</em> it can see a peer KDC that is up: when every KDC is down (a shared database outage, say) faulting
/// every node would only make the VIP vanish, so the VIP stays where it is and the outage is reported instead.
/// A peer that cannot be probed (partition) counts as not up, which keeps the VIP in place: the safe side.
/// A node that has already handed the VIP over stays in FAULT until its own KDC recovers, even if the peer's KDC
/// fails too: taking the VIP back to a dead KDC would move it for nothing and open a window with no holder.
/// </summary>
public static class FailoverPolicy
{
    public static FailoverDecision Decide(KdcHealthState local, IReadOnlyCollection<KdcHealthState> peers, bool faulted)
    {
        var healthyPeers = peers.Count(state => state == KdcHealthState.Up);
        var localDown = local == KdcHealthState.Down;
        var allDown = localDown && peers.All(state => state == KdcHealthState.Down);
        if (!localDown)
        {
            return new FailoverDecision(false, false, local == KdcHealthState.Up ? "The local KDC is up." : "The local KDC has no verdict yet.");
        }

        if (healthyPeers > 0)
        {
            return new FailoverDecision(true, false, $"The local KDC is down and {healthyPeers} peer KDC(s) are up: handing the VIP over.");
        }

        return faulted
            ? new FailoverDecision(true, allDown, "The local KDC is still down: staying in FAULT, the VIP stays with the peer.")
            : new FailoverDecision(false, allDown, allDown
                ? "Every KDC is down: keeping the VIP where it is rather than dropping it."
                : "The local KDC is down but no peer KDC is known to be up: keeping the VIP.");
    }
}

/// <summary>
/// Names the likely cause when every KDC is down at once. KDCs on separate hosts rarely fail together for their own
/// reasons: a simultaneous failure points at what they share (the directory or database, the probe's credentials,
/// the network from this node), and the alert says so instead of listing KDCs an operator would restart for nothing.
/// </summary>
public static class SharedFailure
{
    public static string Describe(IReadOnlyCollection<KdcHealthStatus> lastVerdicts)
    {
        // A KDC still earning re-admission answers Healthy while it counts as down; it says nothing about the cause.
        var distinct = lastVerdicts.Where(verdict => verdict != KdcHealthStatus.Healthy).Distinct().ToArray();
        var statuses = string.Join(", ", distinct);
        if (distinct.Length == 0)
        {
            return string.Empty;
        }

        if (distinct.Length != 1)
        {
            return $"The KDCs fail differently ({statuses}): no single shared cause is evident.";
        }

        return distinct[0] switch
        {
            KdcHealthStatus.DatabaseUnavailable =>
                "Every KDC answers but none can read its database (DatabaseUnavailable): the failure is shared and most likely the directory (LDAP) or database they all use, not the KDCs.",
            KdcHealthStatus.Timeout =>
                "Every KDC stopped answering at once (Timeout): the failure is shared, likely the directory or database they all wait on (an MIT KDC whose LDAP server hangs answers nothing), or the network from this node.",
            KdcHealthStatus.KeyMismatch or KdcHealthStatus.PrincipalUnknown =>
                $"Every KDC rejects the probe's principal or key ({statuses}): the probe's credentials changed, not the KDCs; check the keytab and the principal.",
            KdcHealthStatus.ClockSkew => "Every KDC reports clock skew: this node's clock is wrong, not the KDCs.",
            _ => $"Every KDC fails the same way ({statuses}): the failure is shared.",
        };
    }
}

/// <summary>
/// Fall/rise hysteresis for one KDC. A refused probe (nothing listens on the KDC port: the process is gone) is
/// definitive and marks the KDC down at once; any other failure, a timeout above all, must repeat <c>fall</c> times,
/// because one lost datagram or one scheduling hiccup must not move the VIP. A down KDC is re-admitted only after
/// <c>rise</c> consecutive good probes, so a KDC that comes back flapping does not pull the VIP back and forth.
/// </summary>
public sealed class HealthHysteresis
{
    private readonly int _fall;
    private readonly int _rise;

    public HealthHysteresis(int fall, int rise, KdcHealthState initialState = KdcHealthState.Unknown)
    {
        _fall = fall >= 1 ? fall : throw new ArgumentOutOfRangeException(nameof(fall), fall, "fall must be at least 1.");
        _rise = rise >= 1 ? rise : throw new ArgumentOutOfRangeException(nameof(rise), rise, "rise must be at least 1.");
        State = initialState;
    }

    public KdcHealthState State { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    public int ConsecutiveSuccesses { get; private set; }

    /// <summary>A failure was seen but not yet confirmed: the monitor probes again at once instead of waiting an interval.</summary>
    public bool AwaitingConfirmation => State != KdcHealthState.Down && ConsecutiveFailures > 0;

    public static bool IsDefinitiveFailure(KdcHealthStatus status) => status == KdcHealthStatus.Refused;

    /// <summary>Feeds one probe result; true when the state changed.</summary>
    public bool Observe(KdcHealthStatus status)
    {
        var previous = State;
        if (status == KdcHealthStatus.Healthy)
        {
            ConsecutiveFailures = 0;
            ConsecutiveSuccesses++;
            if (State == KdcHealthState.Unknown || (State == KdcHealthState.Down && ConsecutiveSuccesses >= _rise))
            {
                State = KdcHealthState.Up;
            }
        }
        else
        {
            ConsecutiveSuccesses = 0;
            ConsecutiveFailures++;
            if (State != KdcHealthState.Down && (IsDefinitiveFailure(status) || ConsecutiveFailures >= _fall))
            {
                State = KdcHealthState.Down;
            }
        }

        return State != previous;
    }
}
