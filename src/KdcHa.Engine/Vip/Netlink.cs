using System;
using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>
/// rtnetlink RTM_NEWADDR / RTM_DELADDR requests and the kernel's acknowledgement, byte for byte (host byte order,
/// which is what netlink uses; every machine KdcHa runs on is little-endian).
/// </summary>
public static class NetlinkAddressMessage
{
    public const ushort NewAddress = 20;
    public const ushort DeleteAddress = 21;
    public const ushort Error = 2;
    public const ushort Request = 0x1;
    public const ushort Acknowledge = 0x4;
    public const ushort Exclusive = 0x200;
    public const ushort Create = 0x400;
    public const ushort AttributeAddress = 1;
    public const ushort AttributeLocal = 2;

    // IPv6 duplicate address detection would keep the VIP tentative (unusable) for about a second after the add.
    public const byte NoDuplicateAddressDetection = 0x02;

    private const int HeaderLength = 16;
    private const int AddressHeaderLength = 8;

    /// <summary>
    /// nlmsghdr + ifaddrmsg + IFA_LOCAL + IFA_ADDRESS, as <c>ip addr add|del</c> sends it. An add is exclusive, so an
    /// address that is already there comes back as EEXIST instead of silently succeeding.
    /// </summary>
    public static byte[] Build(NetlinkAddressOperation operation, int interfaceIndex, InterfaceAddress address, uint sequence)
    {
        var bytes = address.Address.GetAddressBytes();
        var attributeLength = Align(4 + bytes.Length);
        var message = new byte[HeaderLength + AddressHeaderLength + (2 * attributeLength)];
        var flags = operation == NetlinkAddressOperation.Add ? (ushort)(Request | Acknowledge | Create | Exclusive) : (ushort)(Request | Acknowledge);
        WriteUInt32(message, 0, (uint)message.Length);
        WriteUInt16(message, 4, operation == NetlinkAddressOperation.Add ? NewAddress : DeleteAddress);
        WriteUInt16(message, 6, flags);
        WriteUInt32(message, 8, sequence);
        WriteUInt32(message, 12, 0);
        message[16] = (byte)(address.IsIPv6 ? LinuxAddressFamily.Inet6 : LinuxAddressFamily.Inet);
        message[17] = (byte)address.PrefixLength;
        message[18] = address.IsIPv6 ? NoDuplicateAddressDetection : (byte)0;
        message[19] = 0; // RT_SCOPE_UNIVERSE
        WriteUInt32(message, 20, (uint)interfaceIndex);
        var offset = HeaderLength + AddressHeaderLength;
        foreach (var type in new[] { AttributeLocal, AttributeAddress })
        {
            WriteUInt16(message, offset, (ushort)(4 + bytes.Length));
            WriteUInt16(message, offset + 2, type);
            bytes.CopyTo(message, offset + 4);
            offset += attributeLength;
        }

        return message;
    }

    /// <summary>
    /// The errno of the acknowledgement of <paramref name="sequence"/> in a netlink datagram: 0 for success, null
    /// when the datagram holds no such acknowledgement.
    /// </summary>
    public static int? ReadAcknowledgement(byte[] datagram, int length, uint sequence)
    {
        var offset = 0;
        while (offset + HeaderLength <= length)
        {
            var messageLength = (int)ReadUInt32(datagram, offset);
            if (messageLength < HeaderLength || offset + messageLength > length)
            {
                return null;
            }

            if (ReadUInt16(datagram, offset + 4) == Error && ReadUInt32(datagram, offset + 8) == sequence && messageLength >= HeaderLength + 4)
            {
                // struct nlmsgerr starts with the negated errno; 0 is the acknowledgement of a success.
                return -BitConverter.ToInt32(datagram, offset + HeaderLength);
            }

            offset += Align(messageLength);
        }

        return null;
    }

    private static int Align(int length) => (length + 3) & ~3;

    private static void WriteUInt16(byte[] buffer, int offset, ushort value) => BitConverter.GetBytes(value).CopyTo(buffer, offset);

    private static void WriteUInt32(byte[] buffer, int offset, uint value) => BitConverter.GetBytes(value).CopyTo(buffer, offset);

    private static ushort ReadUInt16(byte[] buffer, int offset) => BitConverter.ToUInt16(buffer, offset);

    private static uint ReadUInt32(byte[] buffer, int offset) => BitConverter.ToUInt32(buffer, offset);
}

/// <summary>The two rtnetlink address requests Direct mode sends.</summary>
public enum NetlinkAddressOperation
{
    Add,
    Remove,
}

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
