using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>
/// No question to keepalived at all: its configuration says which addresses each instance manages, and the
/// addresses its network namespace holds say who has them. An instance holding all its virtual addresses is Master,
/// otherwise Backup: Fault and Init look like Backup from here, and priorities are the configured ones.
/// </summary>
public sealed class InterfaceStateSource : IVrrpStateSource
{
    public string Name => "Interface";

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

        var held = LocalAddresses.Current(keepalived.ProcessId);
        IReadOnlyList<VrrpInstanceState> states = KeepalivedConfigFile.Parse(text)
            .Select(instance =>
            {
                var holds = LocalAddresses.HoldsAll(instance.VirtualIPAddresses, held);
                return new VrrpInstanceState(instance.Name, instance.VirtualRouterId, holds == true ? VrrpState.Master : VrrpState.Backup, Name)
                {
                    Interface = instance.Interface,
                    Priority = instance.Priority,
                    VirtualIPAddresses = instance.VirtualIPAddresses,
                    HoldsVirtualIP = holds,
                };
            })
            .ToList();
        return Task.FromResult(states);
    }
}
