using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>The network interface the VIP belongs on does not exist in this network namespace.</summary>
public sealed class InterfaceNotFoundException : KdcHaException
{
    public InterfaceNotFoundException(string interfaceName)
        : base($"There is no network interface '{interfaceName}' on this host (in this network namespace).")
    {
        InterfaceName = interfaceName;
    }

    public string InterfaceName { get; }
}
