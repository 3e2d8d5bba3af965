using System.Collections.Generic;

namespace KdcHa.Vrrp;

/// <summary>A vrrp_instance as keepalived.conf declares it.</summary>
public sealed class KeepalivedConfiguredInstance
{
    public KeepalivedConfiguredInstance(string name, int virtualRouterId, string? interfaceName, int priority, IReadOnlyList<string> virtualIPAddresses)
    {
        Name = name;
        VirtualRouterId = virtualRouterId;
        Interface = interfaceName;
        Priority = priority;
        VirtualIPAddresses = virtualIPAddresses;
    }

    public string Name { get; }

    public int VirtualRouterId { get; }

    public string? Interface { get; }

    public int Priority { get; }

    public IReadOnlyList<string> VirtualIPAddresses { get; }
}
