using System.Collections.Generic;
using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>The keepalived configuration has no <c>vrrp_instance</c> of the requested name.</summary>
public sealed class VrrpInstanceNotFoundException : KdcHaException
{
    public VrrpInstanceNotFoundException(string instance, string configPath, IReadOnlyList<string> knownInstances)
        : base(knownInstances.Count == 0
            ? $"{configPath} defines no vrrp_instance, so there is no instance '{instance}'."
            : $"{configPath} defines no vrrp_instance '{instance}'. It defines: {string.Join(", ", knownInstances)}.")
    {
        Instance = instance;
    }

    public string Instance { get; }
}
