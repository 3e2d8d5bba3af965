using System.Net;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

public class ArpFrameTests
{
    private static readonly byte[] Mac = { 0x02, 0, 0, 0, 0, 0x01 };
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.10");

    [Fact]
    public void TheProbeAsksForTheAddressFromZeroSoNoCacheLearnsIt()
    {
        Assert.Equal(
            new byte[]
            {
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x06, // broadcast, ARP
                0, 1, 0x08, 0x00, 6, 4, 0, 1, // Ethernet/IPv4 request
                0x02, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, // sender: our MAC, 0.0.0.0
                0, 0, 0, 0, 0, 0, 192, 0, 2, 10, // target: zero MAC, the address
            },
            ArpFrame.Probe(Mac, Vip));
    }

    [Fact]
    public void TheAnnouncementNamesTheAddressAsSenderAndTarget()
    {
        var frame = ArpFrame.Announcement(Mac, Vip);

        Assert.Equal(new byte[] { 192, 0, 2, 10 }, frame[28..32]);
        Assert.Equal(new byte[] { 192, 0, 2, 10 }, frame[38..42]);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0 }, frame[32..38]);
        Assert.Equal(new byte[] { 0, 1 }, frame[20..22]);
    }

    [Fact]
    public void AReplyParsesIntoItsSender()
    {
        var reply = ArpFrame.Announcement(new byte[] { 0x02, 0, 0, 0, 0, 0x02 }, Vip);
        reply[21] = 2;

        Assert.True(ArpFrame.TryParse(reply, reply.Length, out var packet));
        Assert.Equal(ArpFrame.Reply, packet!.Operation);
        Assert.Equal(Vip, packet.SenderAddress);
        Assert.Equal("02:00:00:00:00:02", LinkInterface.FormatMac(packet.SenderMac));
    }

    [Fact]
    public void ShortOrForeignFramesAreNotArp()
    {
        var frame = ArpFrame.Probe(Mac, Vip);

        Assert.False(ArpFrame.TryParse(frame, 41, out _));
        frame[13] = 0x00;
        Assert.False(ArpFrame.TryParse(frame, frame.Length, out _));
    }
}
