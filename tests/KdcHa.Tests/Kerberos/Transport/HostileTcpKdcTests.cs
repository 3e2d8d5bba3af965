using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Transport.TcpKdcTransportTests;
using static KdcHa.Tests.Kerberos.Transport.TransportTestKit;

namespace KdcHa.Tests.Kerberos.Transport;

[Collection(LoopbackSocketCollection.Name)]
public sealed class HostileTcpKdcTests
{
    private const int Exchanges = 2000;

    private enum Behaviour
    {
        ValidReply,
        ValidReplyInFragments,
        HighBitLength,
        OversizedLength,
        ZeroLength,
        TruncatedPrefix,
        TruncatedBody,
        CloseWithoutReply,
        ResetAfterPartialReply,
        RandomBytes,
    }

    [Fact]
    public async Task Every_reply_is_either_a_good_exchange_or_a_protocol_error()
    {
        var random = new Random(20240611);
        var behaviours = Enum.GetValues<Behaviour>();
        var script = new ConcurrentQueue<(Behaviour Behaviour, byte[] Bytes)>();
        using var kdc = new LoopbackTcpResponder(IPAddress.Loopback, connection => MisbehaveAsync(connection, script));
        var transport = new SocketKdcTransport();
        var outcomes = new Dictionary<string, int>();

        for (var i = 0; i < Exchanges; i++)
        {
            var behaviour = behaviours[random.Next(behaviours.Length)];
            var bytes = new byte[random.Next(1, 3000)];
            random.NextBytes(bytes);
            script.Enqueue((behaviour, bytes));

            string outcome;
            try
            {
                var exchange = await transport.SendAsync(
                    kdc.EndPoint.ToKdcEndpoint(), Request(50), KdcTransportProtocol.Tcp, Generous, Generous, CancellationToken.None);
                Assert.True(behaviour is Behaviour.ValidReply or Behaviour.ValidReplyInFragments or Behaviour.RandomBytes, $"{behaviour} produced a reply");
                if (behaviour is not Behaviour.RandomBytes)
                {
                    Assert.Equal(bytes, exchange.Reply);
                }

                outcome = "reply";
            }
            catch (KdcTransportException failure)
            {
                Assert.True(KdcTransportFailure.ProtocolError == failure.Failure, $"{behaviour}: {failure.Failure}: {failure.Message}");
                Assert.False(behaviour is Behaviour.ValidReply or Behaviour.ValidReplyInFragments, $"{behaviour} failed: {failure.Message}");
                outcome = "protocol error";
            }

            outcomes[$"{behaviour} -> {outcome}"] = outcomes.GetValueOrDefault($"{behaviour} -> {outcome}") + 1;
        }

        Assert.Equal(Exchanges, outcomes.Values.Sum());
        Assert.True(outcomes.Keys.Count(key => key.EndsWith("-> reply", StringComparison.Ordinal)) >= 2);
    }

    private static async Task MisbehaveAsync(Socket connection, ConcurrentQueue<(Behaviour Behaviour, byte[] Bytes)> script)
    {
        await LoopbackTcpResponder.ReadFramedAsync(connection);
        Assert.True(script.TryDequeue(out var step));
        var (behaviour, bytes) = step;
        var random = new Random(bytes[0]);
        switch (behaviour)
        {
            case Behaviour.ValidReply:
                await connection.SendAsync(LoopbackTcpResponder.Frame(bytes), SocketFlags.None);
                break;
            case Behaviour.ValidReplyInFragments:
                foreach (var chunk in LoopbackTcpResponder.Frame(bytes).Chunk(random.Next(1, 8)))
                {
                    await connection.SendAsync(chunk, SocketFlags.None);
                }

                break;
            case Behaviour.HighBitLength:
                await connection.SendAsync(Concat(Prefix(0x80000000u | (uint)random.Next()), bytes), SocketFlags.None);
                break;
            case Behaviour.OversizedLength:
                await connection.SendAsync(Concat(Prefix((uint)random.Next(SocketKdcTransport.MaxReplyLength + 1, int.MaxValue)), bytes), SocketFlags.None);
                break;
            case Behaviour.ZeroLength:
                await connection.SendAsync(Prefix(0), SocketFlags.None);
                break;
            case Behaviour.TruncatedPrefix:
                await connection.SendAsync(bytes.AsMemory(0, Math.Min(bytes.Length, random.Next(0, 4))), SocketFlags.None);
                break;
            case Behaviour.TruncatedBody:
                await connection.SendAsync(Concat(Prefix((uint)bytes.Length + 1), bytes), SocketFlags.None);
                break;
            case Behaviour.CloseWithoutReply:
                break;
            case Behaviour.ResetAfterPartialReply:
                await connection.SendAsync(Concat(Prefix((uint)bytes.Length), bytes.AsSpan(0, bytes.Length / 2).ToArray()), SocketFlags.None);
                connection.LingerState = new LingerOption(true, 0);
                break;
            case Behaviour.RandomBytes:
                // Random bytes may happen to frame a short message; anything else must be a protocol error.
                await connection.SendAsync(bytes.AsMemory(0, Math.Min(bytes.Length, 64)), SocketFlags.None);
                break;
        }
    }
    private static byte[] Concat(byte[] prefix, byte[] body) => [.. prefix, .. body];
}
