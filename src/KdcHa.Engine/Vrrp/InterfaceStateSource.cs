using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Vip;

namespace KdcHa.Vrrp;

/// <summary>
/// No question to keepalived at all: its configuration says which addresses each instance manages, and the
/// addresses its network namespace holds say who has them. An instance holding all its virtual addresses is Master,
/// otherwise Backup: Fault and Init look like Backup from here, and priorities are the configured ones.
/// </summary>
public sealed class InterfaceStateSource : IVrrpStateSource
{
    private const string SourceName = "Interface";

    public string Name => SourceName;

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
