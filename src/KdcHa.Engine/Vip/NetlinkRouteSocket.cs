using System;
using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>
/// Interface addresses through an AF_NETLINK/NETLINK_ROUTE socket, the same requests <c>ip addr</c> sends, without
/// depending on iproute2 being installed or parsing its output.
/// </summary>
public sealed class NetlinkRouteSocket : IInterfaceAddressTable
{
    private const int NetlinkRoute = 0;

    // The kernel answers an address request synchronously; a second is far beyond any real acknowledgement.
    private static readonly TimeSpan AcknowledgementTimeout = TimeSpan.FromSeconds(1);

    private uint _sequence = (uint)Environment.TickCount;

    public void Add(LinkInterface link, InterfaceAddress address) =>
        Request(NetlinkAddressOperation.Add, link, address, $"Adding {address} to {link.Name}");

    public bool Remove(LinkInterface link, InterfaceAddress address)
    {
        try
        {
            Request(NetlinkAddressOperation.Remove, link, address, $"Removing {address} from {link.Name}");
            return true;
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.AddressNotAvailable)
        {
            return false;
        }
    }

    private void Request(NetlinkAddressOperation operation, LinkInterface link, InterfaceAddress address, string action)
    {
        // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }: pid 0 lets the kernel pick.
        var local = new byte[12];
        BitConverter.GetBytes((ushort)LinuxAddressFamily.Netlink).CopyTo(local, 0);
        using var socket = new NativeSocket(LinuxAddressFamily.Netlink, NetlinkRoute, local, "netlink");
        var sequence = ++_sequence;
        socket.Send(NetlinkAddressMessage.Build(operation, link.Index, address, sequence));
        var buffer = new byte[8192];
        while (true)
        {
            var length = socket.Receive(buffer, AcknowledgementTimeout);
            if (length == 0)
            {
                throw new NetlinkException($"{action} (no acknowledgement from the kernel)", 110);
            }

            var errno = NetlinkAddressMessage.ReadAcknowledgement(buffer, length, sequence);
            if (errno == 0)
            {
                return;
            }

            if (errno is not null)
            {
                throw new NetlinkException(action, errno.Value);
            }
        }
    }
}
