using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Vrrp;

namespace KdcHa.Keepalived;

/// <summary>One way of learning what keepalived's VRRP instances are doing: DBus, Json, Data, Interface or Wire.</summary>
public interface IVrrpStateSource
{
    /// <summary>Which source this is; its name is what VrrpInstanceState.Source carries for its results.</summary>
    VrrpSourceKind Kind { get; }

    /// <summary>Cheap: whether this source can answer the query on this host. Never throws for a missing keepalived.</summary>
    bool IsAvailable(VrrpQuery query);

    Task<IReadOnlyList<VrrpInstanceState>> GetStatesAsync(VrrpQuery query, CancellationToken cancellationToken);
}

/// <summary>keepalived's JSON dump: state, base and effective priority, virtual addresses and last transition.</summary>
public sealed class JsonDumpStateSource : IVrrpStateSource
{
    public VrrpSourceKind Kind => VrrpSourceKind.Json;

    public bool IsAvailable(VrrpQuery query)
    {
        if (!query.HasKeepalived())
        {
            return false;
        }

        try
        {
            KeepalivedDump.SignalNumber(query.FindKeepalived().Executable, "JSON");
            return true;
        }
        catch (Common.KdcHaException)
        {
            return false;
        }
    }

    public Task<IReadOnlyList<VrrpInstanceState>> GetStatesAsync(VrrpQuery query, CancellationToken cancellationToken)
    {
        var keepalived = query.FindKeepalived();
        return KeepalivedDump.RequestAsync(
            keepalived, "JSON", KeepalivedDump.JsonFileName, bytes => KeepalivedJsonDump.Parse(bytes, LocalAddresses.Current(keepalived.ProcessId)), query.DumpTimeout, cancellationToken);
    }
}

/// <summary>keepalived's text dump (.data): the fallback for builds without JSON; the same fields, parsed from text.</summary>
public sealed class DataDumpStateSource : IVrrpStateSource
{
    // The last section keepalived 2.2 writes; a dump without it is still being written.
    private const string LastSection = "------< Interfaces >------";

    public VrrpSourceKind Kind => VrrpSourceKind.Data;

    public bool IsAvailable(VrrpQuery query) => query.HasKeepalived();

    public Task<IReadOnlyList<VrrpInstanceState>> GetStatesAsync(VrrpQuery query, CancellationToken cancellationToken)
    {
        var keepalived = query.FindKeepalived();
        return KeepalivedDump.RequestAsync(keepalived, "DATA", KeepalivedDump.DataFileName, bytes => ParseWhole(bytes, keepalived.ProcessId), query.DumpTimeout, cancellationToken);
    }

    private static IReadOnlyList<VrrpInstanceState> ParseWhole(byte[] bytes, int processId)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Contains(LastSection, System.StringComparison.Ordinal)
            ? KeepalivedDataDump.Parse(text, LocalAddresses.Current(processId))
            : throw new KeepalivedDumpFormatException($"keepalived's data dump has no \"{LastSection}\" section, the last one it writes: it is cut short.");
    }
}

/// <summary>
/// keepalived's own answer over DBus (enable_dbus): name, state, interface, VRID and family of every instance,
/// without a signal or a dump file. keepalived publishes no priorities, addresses or transition times there.
/// </summary>
public sealed class DBusStateSource : IVrrpStateSource
{
    public VrrpSourceKind Kind => VrrpSourceKind.DBus;

    public bool IsAvailable(VrrpQuery query) => query.HasKeepalived() && KeepalivedBus.MayBeListening(KeepalivedBus.AddressOf(query.FindKeepalived()));

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

/// <summary>
/// No question to keepalived at all: its configuration says which addresses each instance manages, and the
/// addresses its network namespace holds say who has them. An instance holding all its virtual addresses is Master,
/// otherwise Backup: Fault and Init look like Backup from here, and priorities are the configured ones.
/// </summary>
public sealed class InterfaceStateSource : IVrrpStateSource
{
    private const string SourceName = "Interface";

    public VrrpSourceKind Kind => VrrpSourceKind.Interface;

    public bool IsAvailable(VrrpQuery query) => query.HasKeepalived() && File.Exists(query.FindKeepalived().ConfigFile);

    public Task<IReadOnlyList<VrrpInstanceState>> GetStatesAsync(VrrpQuery query, CancellationToken cancellationToken)
    {
        var keepalived = query.FindKeepalived();
        string text;
        try
        {
            text = File.ReadAllText(keepalived.ConfigFile);
        }
        catch (System.UnauthorizedAccessException e)
        {
            throw new VrrpPermissionException($"keepalived's configuration {keepalived.ConfigFile} cannot be read: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new VrrpSourceUnavailableException($"keepalived's configuration {keepalived.ConfigFile} cannot be read: {e.Message}", e);
        }

        IReadOnlyList<KeepalivedInstance> instances;
        try
        {
            instances = KeepalivedConfigReader.Parse(text, keepalived.ConfigFile).Instances;
        }
        catch (KeepalivedConfigException e)
        {
            throw new KeepalivedDumpFormatException($"keepalived's configuration {keepalived.ConfigFile} cannot be read as keepalived reads it: {e.Message}", e);
        }

        return Task.FromResult(ToStates(instances, LocalAddresses.Current(keepalived.ProcessId)));
    }

    /// <summary>The configured instances as seen from the addresses held; instances without a usable virtual_router_id are left out.</summary>
    internal static IReadOnlyList<VrrpInstanceState> ToStates(IEnumerable<KeepalivedInstance> instances, ISet<IPAddress>? held) =>
        instances
            .Where(instance => instance.VirtualRouterId is >= 1 and <= 255)
            .Select(instance =>
            {
                var addresses = instance.VirtualAddresses.Select(address => address.ToString()).ToList();
                var holds = LocalAddresses.HoldsAll(addresses, held);
                return new VrrpInstanceState(instance.Name, instance.VirtualRouterId, holds == true ? VrrpState.Master : VrrpState.Backup, SourceName)
                {
                    Interface = instance.Interface,
                    Priority = instance.Priority,
                    VirtualIPAddresses = addresses,
                    HoldsVirtualIP = holds,
                };
            })
            .ToList();
}

/// <summary>
/// Listens to the advertisements themselves, from any host on the link: needs no keepalived here, so it is the only
/// source on a third host. Only a master advertises, so a healthy pair shows one peer; two peers with a priority
/// above 0 are a split brain. Names are unknown on the wire: each virtual router is reported as "VRID n", or
/// "VRID n IPv6" for an IPv6 one (VRRPv3), which is a separate router even when the id is the same.
/// </summary>
public sealed class WireStateSource : IVrrpStateSource
{
    public VrrpSourceKind Kind => VrrpSourceKind.Wire;

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
                return new VrrpInstanceState(VirtualRouterName.Of(family, virtualRouterId), virtualRouterId, master is null ? VrrpState.Unknown : VrrpState.Master, nameof(VrrpSourceKind.Wire))
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
