using System;
using System.Net;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

public class NetlinkAddressMessageTests
{
    [Fact]
    public void AddIsAnExclusiveCreateWithLocalAndAddressAttributes()
    {
        var message = NetlinkAddressMessage.Build(NetlinkAddressOperation.Add, 3, InterfaceAddress.Parse("192.0.2.10/32"), 7);

        Assert.Equal(
            new byte[]
            {
                40, 0, 0, 0, 20, 0, 0x05, 0x06, 7, 0, 0, 0, 0, 0, 0, 0, // nlmsghdr: RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
                2, 32, 0, 0, 3, 0, 0, 0, // ifaddrmsg: AF_INET, /32, no flags, universe, ifindex 3
                8, 0, 2, 0, 192, 0, 2, 10, // IFA_LOCAL
                8, 0, 1, 0, 192, 0, 2, 10, // IFA_ADDRESS
            },
            message);
    }

    [Fact]
    public void DeleteOnlyAsksForAnAcknowledgement()
    {
        var message = NetlinkAddressMessage.Build(NetlinkAddressOperation.Remove, 3, InterfaceAddress.Parse("192.0.2.10/24"), 8);

        Assert.Equal(new byte[] { 21, 0, 0x05, 0 }, message[4..8]);
        Assert.Equal(24, message[17]);
    }

    [Fact]
    public void IPv6UsesLinuxFamilyTenAndSkipsDuplicateAddressDetection()
    {
        var message = NetlinkAddressMessage.Build(NetlinkAddressOperation.Add, 5, InterfaceAddress.Parse("2001:db8::10/64"), 1);

        Assert.Equal(16 + 8 + 20 + 20, BitConverter.ToInt32(message, 0));
        Assert.Equal(new byte[] { 10, 64, NetlinkAddressMessage.NoDuplicateAddressDetection, 0, 5, 0, 0, 0 }, message[16..24]);
        Assert.Equal(20, BitConverter.ToUInt16(message, 24));
        Assert.Equal(IPAddress.Parse("2001:db8::10").GetAddressBytes(), message[28..44]);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-17, 17)]
    [InlineData(-1, 1)]
    public void TheAcknowledgementCarriesTheNegatedErrno(int error, int expected)
    {
        var datagram = Acknowledgement(sequence: 7, error);

        Assert.Equal(expected, NetlinkAddressMessage.ReadAcknowledgement(datagram, datagram.Length, 7));
    }

    [Fact]
    public void AnAcknowledgementOfAnotherRequestIsNotOurs()
    {
        var datagram = Acknowledgement(sequence: 6, 0);

        Assert.Null(NetlinkAddressMessage.ReadAcknowledgement(datagram, datagram.Length, 7));
        Assert.Null(NetlinkAddressMessage.ReadAcknowledgement(datagram, 10, 6));
    }

    // struct nlmsghdr + struct nlmsgerr { int error; struct nlmsghdr msg; }
    private static byte[] Acknowledgement(uint sequence, int error)
    {
        var datagram = new byte[36];
        BitConverter.GetBytes(36u).CopyTo(datagram, 0);
        BitConverter.GetBytes(NetlinkAddressMessage.Error).CopyTo(datagram, 4);
        BitConverter.GetBytes(sequence).CopyTo(datagram, 8);
        BitConverter.GetBytes(error).CopyTo(datagram, 16);
        return datagram;
    }
}
