using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>
/// Listens to the advertisements themselves, from any host on the link: needs no keepalived here, so it is the only
/// source on a third host. Only a master advertises, so a healthy pair shows one peer; two peers with a priority
/// above 0 are a split brain. Names are unknown on the wire: each virtual router is reported as "VRID n", or
/// "VRID n IPv6" for an IPv6 one (VRRPv3), which is a separate router even when the id is the same.
/// </summary>
public sealed class WireStateSource : IVrrpStateSource
{
    public string Name => "Wire";

    public bool IsAvailable(VrrpQuery query) => true;

    public async Task<IReadOnlyList<VrrpInstanceState>> GetStatesAsync(VrrpQuery query, CancellationToken cancellationToken)
    {
        var interfaceName = query.Interface ?? WireObservation.OnlyInterface();
        var observation = await WireObservation.ListenAsync(new[] { interfaceName }, query.ListenTime, cancellationToken).ConfigureAwait(false);
        var held = LocalAddresses.Current(null);
        return observation.Advertisements
            .GroupBy(a => (a.Family, a.VirtualRouterId))
            .Select(group =>
            {
                var (family, virtualRouterId) = group.Key;
                var (peers, masterAddress, splitBrain) = observation.For(family, virtualRouterId);
                var master = group.FirstOrDefault(a => a.Priority > 0 && a.Source.ToString() == masterAddress);
                var vips = (master ?? group.First()).VirtualAddresses.Select(a => a.ToString()).ToList();
                return new VrrpInstanceState(VirtualRouterName.Of(family, virtualRouterId), virtualRouterId, master is null ? VrrpState.Unknown : VrrpState.Master, Name)
                {
                    Interface = interfaceName,
                    Family = VrrpInstanceState.FamilyName(family),
                    Priority = master?.Priority,
                    VirtualIPAddresses = vips,
                    HoldsVirtualIP = LocalAddresses.HoldsAll(vips, held),
                }.WithWire(peers, masterAddress, splitBrain);
            })
            .ToList();
    }
}
