using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>
/// keepalived's own answer over DBus (enable_dbus): name, state, interface, VRID and family of every instance,
/// without a signal or a dump file. keepalived publishes no priorities, addresses or transition times there.
/// </summary>
public sealed class DBusStateSource : IVrrpStateSource
{
    public string Name => "DBus";

    public bool IsAvailable(VrrpQuery query)
    {
        if (!query.HasKeepalived())
        {
            return false;
        }

        try
        {
            return KeepalivedBus.AddressOf(query.FindKeepalived()).MayBeListening();
        }
        catch (KdcHaException)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<VrrpInstanceState>> GetStatesAsync(VrrpQuery query, CancellationToken cancellationToken)
    {
        using var bus = await KeepalivedBus.ConnectAsync(query.FindKeepalived(), query.BusTimeout, cancellationToken).ConfigureAwait(false);
        var states = new List<VrrpInstanceState>();
        foreach (var path in await bus.InstancePathsAsync(cancellationToken).ConfigureAwait(false))
        {
            states.Add(await bus.ReadInstanceAsync(path, cancellationToken).ConfigureAwait(false));
        }

        return states;
    }
}
