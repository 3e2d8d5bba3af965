using System;
using System.Diagnostics;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Transport.TransportTestKit;

namespace KdcHa.Tests.Kerberos.Transport;

[Collection(LoopbackSocketCollection.Name)]
public sealed class KdcTransportCancellationTests
{
    private static readonly TimeSpan CancelAfter = TimeSpan.FromMilliseconds(150);

    [Fact]
    public async Task Cancelling_a_silent_udp_exchange_is_an_OperationCanceledException()
    {
        using var kdc = LoopbackUdpResponder.Silent(IPAddress.Loopback);
        await AssertCancelledPromptly(new SocketKdcTransport(), kdc.EndPoint.ToKdcEndpoint(), KdcTransportProtocol.Udp);
    }

    [Fact]
    public async Task Cancelling_a_mute_tcp_exchange_is_an_OperationCanceledException()
    {
        using var kdc = LoopbackTcpResponder.Mute(IPAddress.Loopback);
        await AssertCancelledPromptly(new SocketKdcTransport(), kdc.EndPoint.ToKdcEndpoint(), KdcTransportProtocol.Tcp);
    }

    [Fact]
    public async Task Cancelling_a_hanging_name_resolution_is_an_OperationCanceledException()
    {
        var never = new TaskCompletionSource<IPAddress[]>();
        await AssertCancelledPromptly(new SocketKdcTransport(_ => never.Task), KdcEndpoint.Parse("kdc.test"), KdcTransportProtocol.Udp);
    }

    [Fact]
    public async Task An_already_cancelled_token_sends_nothing()
    {
        using var kdc = LoopbackUdpResponder.Echo(IPAddress.Loopback, Reversed);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SocketKdcTransport().SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Udp, Generous, Generous, new CancellationToken(canceled: true)));

        await Task.Delay(100);
        Assert.Empty(kdc.Received);
    }

    private static async Task AssertCancelledPromptly(SocketKdcTransport transport, KdcEndpoint endpoint, KdcTransportProtocol protocol)
    {
        using var cancellation = new CancellationTokenSource(CancelAfter);
        var stopwatch = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.SendAsync(
            endpoint, Request(), protocol, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), cancellation.Token));

        Assert.Equal(cancellation.Token, exception.CancellationToken);
        Assert.InRange(stopwatch.Elapsed, CancelAfter - Slack, CancelAfter + Slack);
    }
}
