using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>The named interface does not exist in the caller's network namespace.</summary>
public sealed class VrrpInterfaceNotFoundException : KdcHaException
{
    public VrrpInterfaceNotFoundException(string interfaceName)
        : base($"There is no interface '{interfaceName}' in this network namespace.")
    {
        InterfaceName = interfaceName;
    }

    public string InterfaceName { get; }
}
