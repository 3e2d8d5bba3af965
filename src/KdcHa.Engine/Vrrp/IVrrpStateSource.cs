using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>One way of learning what keepalived's VRRP instances are doing: DBus, Json, Data, Interface or Wire.</summary>
public interface IVrrpStateSource
{
    /// <summary>The name VrrpInstanceState.Source carries for this source's results.</summary>
    string Name { get; }

    /// <summary>Cheap: whether this source can answer the query on this host. Never throws for a missing keepalived.</summary>
    bool IsAvailable(VrrpQuery query);

    Task<IReadOnlyList<VrrpInstanceState>> GetStatesAsync(VrrpQuery query, CancellationToken cancellationToken);
}
