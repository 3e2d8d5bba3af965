using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Transport.TransportTestKit;

namespace KdcHa.Tests.Kerberos.Transport;

[Collection(LoopbackSocketCollection.Name)]
public sealed class UdpExchangeLoopTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(5);
    private readonly SocketKdcTransport _transport = new();

    [Fact]
    public async Task Many_concurrent_exchanges_each_get_the_reply_to_their_own_request()
    {
        var kdcs = Enumerable.Range(0, 8).Select(_ => LoopbackUdpResponder.Echo(IPAddress.Loopback, Reversed)).ToArray();
        try
        {
            var requests = Enumerable.Range(0, 64).Select(i => Request(100 + i)).ToArray();

            var exchanges = await Task.WhenAll(requests.Select((request, i) => _transport.SendAsync(
                kdcs[i % kdcs.Length].EndPoint.ToKdcEndpoint(), request, KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None)));

            for (var i = 0; i < requests.Length; i++)
            {
                Assert.Equal(Reversed(requests[i]), exchanges[i].Reply);
                Assert.Equal(kdcs[i % kdcs.Length].EndPoint, exchanges[i].RemoteEndPoint);
            }
        }
        finally
        {
            foreach (var kdc in kdcs)
            {
                kdc.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_silent_kdc_does_not_delay_a_concurrent_exchange_with_a_live_one()
    {
        using var silent = LoopbackUdpResponder.Silent(IPAddress.Loopback);
        using var live = LoopbackUdpResponder.Echo(IPAddress.Loopback, Reversed);
        var hanging = _transport.SendAsync(
            silent.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Udp, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2), CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();

        await _transport.SendAsync(live.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None);

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, Slack);
        Assert.False(hanging.IsCompleted);
        await Assert.ThrowsAsync<KdcTransportException>(() => hanging);
    }

    [Fact]
    public async Task An_exchange_started_by_the_continuation_of_another_runs_on_the_loop_without_a_wake()
    {
        // Slow enough that the first exchange is still pending when its continuation is attached.
        using var kdc = new LoopbackUdpResponder(IPAddress.Loopback, async datagram =>
        {
            await Task.Delay(100);
            return Reversed(datagram.Payload);
        });
        string? continuedOn = null;
        var secondRequest = Request(50);

        // A probe's second AS exchange starts exactly like this: inside the first one's continuation.
        var second = _transport.SendAsync(kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None)
            .ContinueWith(
                _ =>
                {
                    continuedOn = Thread.CurrentThread.Name;
                    return _transport.SendAsync(kdc.EndPoint.ToKdcEndpoint(), secondRequest, KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default)
            .Unwrap();

        var exchange = await second.WaitAsync(NoHang);

        Assert.Equal("KdcHa UDP exchanges", continuedOn);
        Assert.Equal(Reversed(secondRequest), exchange.Reply);
    }

    [Fact]
    public async Task Exchanges_started_together_are_served_once_the_batch_ends_even_if_it_throws()
    {
        using var kdc = LoopbackUdpResponder.Echo(IPAddress.Loopback, Reversed);
        Task<KdcExchange>[] started = Array.Empty<Task<KdcExchange>>();

        Assert.Throws<InvalidOperationException>(() => UdpExchangeLoop.Shared.StartTogether(() =>
        {
            started = Enumerable.Range(0, 3)
                .Select(i => _transport.SendAsync(kdc.EndPoint.ToKdcEndpoint(), Request(60 + i), KdcTransportProtocol.Udp, Generous, Generous, CancellationToken.None))
                .ToArray();
            throw new InvalidOperationException("a caller's bug half way through its batch");
        }));

        var exchanges = await Task.WhenAll(started).WaitAsync(NoHang);
        Assert.Equal(3, exchanges.Length);
        Assert.All(exchanges, exchange => Assert.Equal(1, exchange.Attempts));
    }
}
