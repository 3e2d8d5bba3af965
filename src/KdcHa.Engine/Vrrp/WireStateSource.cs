using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>
/// Listens to the advertisements themselves, from any host on the link: needs no keepalived here, so it is the only
/// source on a third host. Only a master advertises, so a healthy pair shows one peer; two peers with a priority
/// above 0 are a split brain. Names are unknown on the wire: each virtual router is reported as "VRID n".
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
            .GroupBy(a => a.VirtualRouterId)
            .Select(group =>
            {
                var (peers, masterAddress, splitBrain) = observation.For(group.Key);
                var master = group.FirstOrDefault(a => a.Priority > 0 && a.Source.ToString() == masterAddress);
                var vips = (master ?? group.First()).VirtualAddresses.Select(a => a.ToString()).ToList();
                return new VrrpInstanceState($"VRID {group.Key}", group.Key, master is null ? VrrpState.Unknown : VrrpState.Master, Name)
                {
                    Interface = interfaceName,
                    Priority = master?.Priority,
                    VirtualIPAddresses = vips,
                    HoldsVirtualIP = LocalAddresses.HoldsAll(vips, held),
                }.WithWire(peers, masterAddress, splitBrain);
            })
            .ToList();
    }
}
