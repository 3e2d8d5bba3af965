using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Transport.TransportTestKit;

namespace KdcHa.Tests.Kerberos.Transport;

[Collection(LoopbackSocketCollection.Name)]
public sealed class KdcTransportResolutionTests
{
    [Theory]
    [InlineData(KdcTransportProtocol.Udp)]
    [InlineData(KdcTransportProtocol.Tcp)]
    public async Task Unresolvable_name_is_a_name_resolution_failure(KdcTransportProtocol protocol)
    {
        var (failure, _) = await FailureOf(() => new SocketKdcTransport().SendAsync(
            KdcEndpoint.Parse("nonexistent.invalid"), Request(), protocol, Generous, TimeSpan.FromSeconds(10), CancellationToken.None));

        Assert.Equal(KdcTransportFailure.NameResolution, failure.Failure);
        Assert.Equal(protocol, failure.Protocol);
    }

    [Fact]
    public async Task Hanging_resolver_is_a_name_resolution_failure_at_the_deadline()
    {
        var never = new TaskCompletionSource<IPAddress[]>();
        var transport = new SocketKdcTransport(_ => never.Task);
        var overall = TimeSpan.FromMilliseconds(400);

        var (failure, elapsed) = await FailureOf(() => transport.SendAsync(
            KdcEndpoint.Parse("kdc.test"), Request(), KdcTransportProtocol.Udp, Generous, overall, CancellationToken.None));

        Assert.Equal(KdcTransportFailure.NameResolution, failure.Failure);
        Assert.Contains("deadline", failure.Message, StringComparison.Ordinal);
        Assert.InRange(elapsed, overall - Slack, overall + Slack);
    }

    [Fact]
    public async Task Resolver_that_blocks_its_caller_still_cannot_outlive_the_deadline()
    {
        using var release = new ManualResetEventSlim();
        var transport = new SocketKdcTransport(_ =>
        {
            release.Wait(TimeSpan.FromSeconds(10));
            return Task.FromResult(new[] { IPAddress.Loopback });
        });
        var overall = TimeSpan.FromMilliseconds(400);

        try
        {
            var (failure, elapsed) = await FailureOf(() => transport.SendAsync(
                KdcEndpoint.Parse("kdc.test"), Request(), KdcTransportProtocol.Tcp, Generous, overall, CancellationToken.None));

            Assert.Equal(KdcTransportFailure.NameResolution, failure.Failure);
            Assert.InRange(elapsed, overall - Slack, overall + Slack);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task Resolver_errors_and_empty_answers_are_name_resolution_failures()
    {
        var throwing = new SocketKdcTransport(_ => throw new SocketException((int)SocketError.HostNotFound));
        var faulting = new SocketKdcTransport(_ => Task.FromException<IPAddress[]>(new InvalidOperationException("resolver broke")));
        var empty = new SocketKdcTransport(_ => Task.FromResult(Array.Empty<IPAddress>()));

        foreach (var transport in new[] { throwing, faulting, empty })
        {
            var (failure, _) = await FailureOf(() => transport.SendAsync(
                KdcEndpoint.Parse("kdc.test"), Request(), KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None));
            Assert.Equal(KdcTransportFailure.NameResolution, failure.Failure);
        }
    }

    [Fact]
    public async Task Ip_literal_skips_the_resolver()
    {
        using var kdc = LoopbackUdpResponder.Echo(IPAddress.Loopback, Reversed);
        var transport = new SocketKdcTransport(_ => throw new InvalidOperationException("must not resolve a literal"));

        var exchange = await transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None);

        Assert.Equal(kdc.EndPoint, exchange.RemoteEndPoint);
    }

    [Theory]
    [InlineData(KdcTransportProtocol.Udp)]
    [InlineData(KdcTransportProtocol.Tcp)]
    public async Task Falls_back_to_the_next_address_when_one_refuses(KdcTransportProtocol protocol)
    {
        using var udpKdc = LoopbackUdpResponder.Echo(IPAddress.Loopback, Reversed);
        using var tcpKdc = LoopbackTcpResponder.Framed(IPAddress.Loopback, Reversed);
        var port = protocol == KdcTransportProtocol.Udp ? udpKdc.EndPoint.Port : tcpKdc.EndPoint.Port;
        var transport = new SocketKdcTransport(host =>
        {
            Assert.Equal("kdc.test", host);
            return Task.FromResult(new[] { IPAddress.IPv6Loopback, IPAddress.Loopback });
        });
        var request = Request();

        var exchange = await transport.SendAsync(
            new KdcEndpoint("kdc.test", port), request, protocol, Generous, Generous, CancellationToken.None);

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), exchange.RemoteEndPoint);
        Assert.Equal(Reversed(request), exchange.Reply);
    }

    [Fact]
    public async Task Reports_every_address_when_all_refuse()
    {
        var port = ClosedPort.On(IPAddress.Loopback, SocketType.Stream).Port;
        var transport = new SocketKdcTransport(_ => Task.FromResult(new[] { IPAddress.IPv6Loopback, IPAddress.Loopback }));

        var (failure, _) = await FailureOf(() => transport.SendAsync(
            new KdcEndpoint("kdc.test", port), Request(), KdcTransportProtocol.Tcp, Generous, Generous, CancellationToken.None));

        Assert.Equal(KdcTransportFailure.Refused, failure.Failure);
        Assert.Contains("[::1]", failure.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", failure.Message, StringComparison.Ordinal);
    }
}
