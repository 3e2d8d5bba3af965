using System;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;

namespace KdcHa.Vip;

/// <summary>The addresses of this network namespace, read fresh on every call because keepalived changes them.</summary>
public sealed class NetworkInterfaceAddresses : IHostAddresses
{
    public bool HasInterface(string interfaceName) =>
        NetworkInterface.GetAllNetworkInterfaces().Any(nic => string.Equals(nic.Name, interfaceName, StringComparison.Ordinal));

    public bool IsLocal(IPAddress address) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Any(unicast => unicast.Address.Equals(address));

    public IPAddress? OwnAddress(string interfaceName, IPAddress vip) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => string.Equals(nic.Name, interfaceName, StringComparison.Ordinal))
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(address => address.AddressFamily == vip.AddressFamily && !address.Equals(vip) && !address.IsIPv6LinkLocal);
}
