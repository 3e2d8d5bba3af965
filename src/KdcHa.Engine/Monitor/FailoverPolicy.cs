using System.Collections.Generic;
using System.Linq;

namespace KdcHa.Monitor;

/// <summary>
/// Decides whether the local node must give up the VIP. A node faults itself only when its own KDC is down
/// <em>and</em> it can see a peer KDC that is up: when every KDC is down (a shared database outage, say) faulting
/// every node would only make the VIP vanish, so the VIP stays where it is and the outage is reported instead.
/// A peer that cannot be probed (partition) counts as not up, which keeps the VIP in place: the safe side.
/// </summary>
public static class FailoverPolicy
{
    public static FailoverDecision Decide(KdcHealthState local, IReadOnlyCollection<KdcHealthState> peers)
    {
        var healthyPeers = peers.Count(state => state == KdcHealthState.Up);
        var localDown = local == KdcHealthState.Down;
        var allDown = localDown && peers.All(state => state == KdcHealthState.Down);
        if (!localDown)
        {
            return new FailoverDecision(false, false, local == KdcHealthState.Up ? "The local KDC is up." : "The local KDC has no verdict yet.");
        }

        return healthyPeers > 0
            ? new FailoverDecision(true, false, $"The local KDC is down and {healthyPeers} peer KDC(s) are up: handing the VIP over.")
            : new FailoverDecision(false, allDown, allDown
                ? "Every KDC is down: keeping the VIP where it is rather than dropping it."
                : "The local KDC is down but no peer KDC is known to be up: keeping the VIP.");
    }
}
