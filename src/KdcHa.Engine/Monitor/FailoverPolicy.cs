using System.Collections.Generic;
using System.Linq;

namespace KdcHa.Monitor;

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
