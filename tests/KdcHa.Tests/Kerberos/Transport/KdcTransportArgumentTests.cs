using System;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Transport.TransportTestKit;

namespace KdcHa.Tests.Kerberos.Transport;

public sealed class KdcTransportArgumentTests
{
    private static readonly KdcEndpoint Endpoint = KdcEndpoint.Parse("127.0.0.1:88");
    private readonly SocketKdcTransport _transport = new();

    [Fact]
    public void Rejects_Auto_and_undefined_protocols()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Send(protocol: KdcTransportProtocol.Auto));
        Assert.Throws<ArgumentOutOfRangeException>(() => Send(protocol: (KdcTransportProtocol)42));
    }

    [Fact]
    public void Rejects_missing_or_empty_input()
    {
        Assert.Throws<ArgumentNullException>(() => { _ = _transport.SendAsync(null!, Request(), KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None); });
        Assert.Throws<ArgumentNullException>(() => { _ = _transport.SendAsync(Endpoint, null!, KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None); });
        Assert.Throws<ArgumentException>(() => Send(request: Array.Empty<byte>()));
    }

    [Fact]
    public async Task Rejects_a_request_too_big_for_a_datagram_but_not_for_tcp()
    {
        var big = new byte[SocketKdcTransport.MaxUdpRequestLength + 1];
        Assert.Throws<ArgumentException>(() => Send(request: big));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _transport.SendAsync(
            Endpoint, big, KdcTransportProtocol.Tcp, Generous, Generous, new CancellationToken(canceled: true)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3_000_000_000)]
    public void Rejects_timeouts_that_are_not_positive_or_too_long(long milliseconds)
    {
        var bad = TimeSpan.FromMilliseconds(milliseconds);
        Assert.Throws<ArgumentOutOfRangeException>(() => Send(attempt: bad));
        Assert.Throws<ArgumentOutOfRangeException>(() => Send(overall: bad));
    }

    [Fact]
    public void KdcExchange_validates_its_parts()
    {
        var remote = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 88);
        Assert.Throws<ArgumentNullException>(() => new KdcExchange(null!, remote, KdcTransportProtocol.Udp, 1, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KdcExchange([1], remote, KdcTransportProtocol.Auto, 1, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KdcExchange([1], remote, KdcTransportProtocol.Tcp, 0, TimeSpan.Zero));
    }

    // Argument errors are thrown by the call itself, before any task exists; the request is cancelled so nothing is sent.
    private void Send(byte[]? request = null, KdcTransportProtocol protocol = KdcTransportProtocol.Udp, TimeSpan? attempt = null, TimeSpan? overall = null) =>
        _ = _transport.SendAsync(Endpoint, request ?? Request(), protocol, attempt ?? Generous, overall ?? Generous, new CancellationToken(canceled: true));
}
