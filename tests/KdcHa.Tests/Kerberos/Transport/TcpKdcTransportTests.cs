using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Transport.TransportTestKit;

namespace KdcHa.Tests.Kerberos.Transport;

[Collection(LoopbackSocketCollection.Name)]
public sealed class TcpKdcTransportTests
{
    private readonly SocketKdcTransport _transport = new();

    [Theory]
    [InlineData("v4")]
    [InlineData("v6")]
    public async Task Returns_the_unframed_reply(string family)
    {
        byte[]? seenByKdc = null;
        using var kdc = LoopbackTcpResponder.Framed(Loopback(family), request => Reversed(seenByKdc = request));
        var request = Request(3000);

        var exchange = await _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), request, KdcTransportProtocol.Tcp, Generous, Generous, CancellationToken.None);

        Assert.Equal(request, seenByKdc);
        Assert.Equal(Reversed(request), exchange.Reply);
        Assert.Equal(kdc.EndPoint, exchange.RemoteEndPoint);
        Assert.Equal(KdcTransportProtocol.Tcp, exchange.Protocol);
        Assert.Equal(1, exchange.Attempts);
        Assert.InRange(exchange.RoundTrip, TimeSpan.Zero, Generous);
    }

    [Fact]
    public async Task Reassembles_a_reply_sent_in_fragments()
    {
        var reply = Request(5000);
        using var kdc = new LoopbackTcpResponder(IPAddress.Loopback, async connection =>
        {
            await LoopbackTcpResponder.ReadFramedAsync(connection);
            foreach (var chunk in LoopbackTcpResponder.Frame(reply).Chunk(777))
            {
                await connection.SendAsync(chunk, SocketFlags.None);
                await Task.Delay(5);
            }
        });

        var exchange = await _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Tcp, Generous, Generous, CancellationToken.None);

        Assert.Equal(reply, exchange.Reply);
    }

    [Fact]
    public async Task Kdc_that_accepts_and_never_answers_times_out_at_the_deadline()
    {
        using var kdc = LoopbackTcpResponder.Mute(IPAddress.Loopback);
        var overall = TimeSpan.FromMilliseconds(600);

        var (failure, elapsed) = await FailureOf(() => _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Tcp, Generous, overall, CancellationToken.None));

        Assert.Equal(KdcTransportFailure.Timeout, failure.Failure);
        Assert.Equal(KdcTransportProtocol.Tcp, failure.Protocol);
        Assert.InRange(elapsed, overall - Slack, overall + Slack);
    }

    [Fact]
    public async Task Receive_phase_is_capped_by_the_attempt_timeout()
    {
        using var kdc = LoopbackTcpResponder.Mute(IPAddress.Loopback);
        var attempt = TimeSpan.FromMilliseconds(300);

        var (failure, elapsed) = await FailureOf(() => _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Tcp, attempt, Generous, CancellationToken.None));

        Assert.Equal(KdcTransportFailure.Timeout, failure.Failure);
        Assert.InRange(elapsed, attempt - Slack, attempt + Slack);
    }

    [Fact]
    public async Task Kdc_with_a_full_listen_backlog_times_out_in_connect()
    {
        // A hung KDC stops completing handshakes once its backlog is full; Linux then drops the SYN silently.
        using var kdc = new LoopbackTcpResponder(IPAddress.Loopback, _ => Task.CompletedTask, backlog: 0, accept: false);
        var fillers = new List<Socket>();
        try
        {
            while (fillers.Count < 8)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                var connect = filler.ConnectAsync(kdc.EndPoint);
                if (await Task.WhenAny(connect, Task.Delay(200)) != connect)
                {
                    break;
                }
            }

            var attempt = TimeSpan.FromMilliseconds(300);
            var (failure, elapsed) = await FailureOf(() => _transport.SendAsync(
                kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Tcp, attempt, Generous, CancellationToken.None));

            Assert.Equal(KdcTransportFailure.Timeout, failure.Failure);
            Assert.Contains("connecting", failure.Message, StringComparison.Ordinal);
            Assert.InRange(elapsed, attempt - Slack, attempt + Slack);
        }
        finally
        {
            fillers.ForEach(filler => filler.Dispose());
        }
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v6")]
    public async Task Closed_port_is_refused(string family)
    {
        var closed = ClosedPort.On(Loopback(family), SocketType.Stream);

        var (failure, elapsed) = await FailureOf(() => _transport.SendAsync(
            closed.ToKdcEndpoint(), Request(), KdcTransportProtocol.Tcp, Generous, Generous, CancellationToken.None));

        Assert.Equal(KdcTransportFailure.Refused, failure.Failure);
        Assert.True(elapsed < Slack, $"Refused took {elapsed}");
    }

    public static TheoryData<string, byte[]> MalformedReplies() => new()
    {
        { "high bit set", Prefix(0x80000000) },
        { "high bit set with body", [.. Prefix(0xFFFFFFFF), 1, 2, 3] },
        { "2 GiB", Prefix(0x7FFFFFFF) },
        { "just over 64 KiB", Prefix(65537) },
        { "70000", Prefix(70000) },
        { "zero length", Prefix(0) },
        { "truncated body", [.. Prefix(100), .. new byte[40]] },
        { "truncated prefix", [0, 0] },
        { "nothing", [] },
        { "garbage", "HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(MalformedReplies))]
    public async Task Malformed_reply_is_a_protocol_error_without_a_large_allocation(string description, byte[] raw)
    {
        using var kdc = LoopbackTcpResponder.Raw(IPAddress.Loopback, raw);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<KdcTransportException>(() => _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Tcp, Generous, Generous, CancellationToken.None));

        Assert.True(KdcTransportFailure.ProtocolError == failure.Failure, $"{description}: {failure.Failure}: {failure.Message}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"{description} took {stopwatch.Elapsed}");
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, 0, 16L * 1024 * 1024);
    }

    [Fact]
    public async Task Accepts_a_64_KiB_reply()
    {
        var reply = Request(SocketKdcTransport.MaxReplyLength);
        using var kdc = LoopbackTcpResponder.Framed(IPAddress.Loopback, _ => reply);

        var exchange = await _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Tcp, Generous, Generous, CancellationToken.None);

        Assert.Equal(reply, exchange.Reply);
    }

    [Fact]
    public async Task Reset_in_the_middle_of_the_reply_is_a_protocol_error()
    {
        using var kdc = new LoopbackTcpResponder(IPAddress.Loopback, async connection =>
        {
            await LoopbackTcpResponder.ReadFramedAsync(connection);
            await connection.SendAsync(Prefix(1000), SocketFlags.None);
            connection.LingerState = new LingerOption(true, 0);
            connection.Close();
        });

        var (failure, _) = await FailureOf(() => _transport.SendAsync(
            kdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Tcp, Generous, Generous, CancellationToken.None));

        Assert.Equal(KdcTransportFailure.ProtocolError, failure.Failure);
    }

    internal static byte[] Prefix(uint length)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, length);
        return prefix;
    }
}
