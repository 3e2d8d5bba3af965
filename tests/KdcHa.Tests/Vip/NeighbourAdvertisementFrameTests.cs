using System;
using System.Net;
using KdcHa.Vip;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Vip;

public class NeighbourAdvertisementFrameTests
{
    private static readonly byte[] Mac = { 0x02, 0, 0, 0, 0, 0x01 };
    private static readonly IPAddress Vip = IPAddress.Parse("2001:db8::10");

    [Fact]
    public void ItGoesToAllNodesWithHopLimit255AndTheOverrideFlag()
    {
        var frame = NeighbourAdvertisementFrame.Build(Mac, Vip);

        Assert.Equal(86, frame.Length);
        Assert.Equal(new byte[] { 0x33, 0x33, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd }, frame[0..14]);
        Assert.Equal(new byte[] { 0x60, 0, 0, 0, 0, 32, 58, 255 }, frame[14..22]);
        Assert.Equal(Vip.GetAddressBytes(), frame[22..38]);
        Assert.Equal(IPAddress.Parse("ff02::1").GetAddressBytes(), frame[38..54]);
        Assert.Equal(new byte[] { 136, 0 }, frame[54..56]);
        Assert.Equal(new byte[] { 0x20, 0, 0, 0 }, frame[58..62]);
        Assert.Equal(Vip.GetAddressBytes(), frame[62..78]);
        Assert.Equal(new byte[] { 2, 1, 0x02, 0, 0, 0, 0, 0x01 }, frame[78..86]);
    }

    [Fact]
    public void TheIcmpV6ChecksumCoversThePseudoHeader()
    {
        var frame = NeighbourAdvertisementFrame.Build(Mac, Vip);
        var pseudo = new byte[40];
        Array.Copy(frame, 22, pseudo, 0, 32);
        pseudo[35] = 32;
        pseudo[39] = 58;

        Assert.NotEqual(0, (frame[56] << 8) | frame[57]);
        Assert.Equal(0, InternetChecksum.Complete(InternetChecksum.Sum(pseudo, 0), frame.AsSpan(54, 32)));
    }
}
