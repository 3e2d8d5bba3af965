using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Transport.TransportTestKit;

namespace KdcHa.Tests.Kerberos.Transport;

[Collection(LoopbackSocketCollection.Name)]
public sealed class UdpKdcTransportTests
{
    private readonly SocketKdcTransport _transport = new();

    [Theory]
    [InlineData("v4")]
    [InlineData("v6")]
    public async Task Returns_the_reply_from_the_kdc(string family)
    {
        using var kdc = LoopbackUdpResponder.Echo(Loopback(family), Reversed);
        var request = Request();

        var exchange = await _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), request, KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None);

        Assert.Equal(Reversed(request), exchange.Reply);
        Assert.Equal(kdc.EndPoint, exchange.RemoteEndPoint);
        Assert.Equal(KdcTransportProtocol.Udp, exchange.Protocol);
        Assert.Equal(1, exchange.Attempts);
        Assert.InRange(exchange.RoundTrip, TimeSpan.Zero, Generous);
        Assert.Equal(request, Assert.Single(kdc.Received));
    }

    [Fact]
    public async Task Resends_the_same_bytes_after_the_attempt_timeout()
    {
        using var kdc = new LoopbackUdpResponder(
            IPAddress.Loopback, datagram => Task.FromResult(datagram.Index == 0 ? null : Reversed(datagram.Payload)));
        var request = Request();
        var attemptTimeout = TimeSpan.FromMilliseconds(200);

        var exchange = await _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), request, KdcTransportProtocol.Udp, attemptTimeout, Generous, CancellationToken.None);

        Assert.Equal(2, exchange.Attempts);
        Assert.Equal(Reversed(request), exchange.Reply);
        Assert.All(kdc.Received, datagram => Assert.Equal(request, datagram));
        Assert.True(exchange.RoundTrip < attemptTimeout, $"RoundTrip {exchange.RoundTrip} must be measured from the final send");
    }

    [Fact]
    public async Task Silent_kdc_times_out_at_the_overall_deadline_after_resending()
    {
        using var kdc = LoopbackUdpResponder.Silent(IPAddress.Loopback);
        var overall = TimeSpan.FromMilliseconds(700);

        var (failure, elapsed) = await FailureOf(() => _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Udp, TimeSpan.FromMilliseconds(200), overall, CancellationToken.None));

        Assert.Equal(KdcTransportFailure.Timeout, failure.Failure);
        Assert.Equal(KdcTransportProtocol.Udp, failure.Protocol);
        Assert.InRange(elapsed, overall - Slack, overall + Slack);
        Assert.InRange(kdc.Received.Count, 3, 4);
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v6")]
    public async Task Closed_port_is_refused_quickly(string family)
    {
        var closed = ClosedPort.On(Loopback(family), SocketType.Dgram);

        var (failure, elapsed) = await FailureOf(() => _transport.SendAsync(
            closed.ToKdcEndpoint(), Request(), KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None));

        Assert.Equal(KdcTransportFailure.Refused, failure.Failure);
        Assert.True(elapsed < Slack, $"Refused took {elapsed}");
    }

    [Fact]
    public async Task Ignores_a_datagram_from_another_source_port()
    {
        using var intruder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        intruder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var kdc = new LoopbackUdpResponder(IPAddress.Loopback, async datagram =>
        {
            await intruder.SendToAsync(new byte[] { 0x66, 0x6f, 0x72, 0x67, 0x65, 0x64 }, SocketFlags.None, datagram.Client);
            await Task.Delay(50);
            return Reversed(datagram.Payload);
        });
        var request = Request();

        var exchange = await _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), request, KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None);

        Assert.Equal(Reversed(request), exchange.Reply);
        Assert.Equal(1, exchange.Attempts);
    }

    [Fact]
    public async Task Empty_datagrams_are_junk_and_only_junk_is_a_protocol_error_at_the_deadline()
    {
        using var kdc = new LoopbackUdpResponder(IPAddress.Loopback, _ => Task.FromResult<byte[]?>(Array.Empty<byte>()));

        var (failure, elapsed) = await FailureOf(() => _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Udp, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.Equal(KdcTransportFailure.ProtocolError, failure.Failure);
        Assert.True(failure.JunkReplies >= 1, "no junk counted");
        Assert.Contains("empty datagram", failure.Message);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(290), $"gave up after {elapsed.TotalMilliseconds} ms, before the deadline");
    }

    [Fact]
    public async Task Accepts_a_maximum_size_datagram()
    {
        var big = new byte[65507];
        Random.Shared.NextBytes(big);
        using var kdc = LoopbackUdpResponder.Echo(IPAddress.Loopback, _ => big);

        var exchange = await _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None);

        Assert.Equal(big, exchange.Reply);
    }
}
