using System;
using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Kerberos.Transport;

/// <summary>RFC 4120 §7.2.1: one datagram each way, resent unchanged (the KDC replay cache answers duplicates) until the deadline.</summary>
internal static class UdpKdcExchanger
{
    public static async Task<KdcExchange> ExchangeAsync(
        IPEndPoint remote, byte[] request, TimeSpan attemptTimeout, Deadline overall, CancellationToken cancellationToken)
    {
        using var session = KdcSocketSession.Open(remote, KdcTransportProtocol.Udp, overall, cancellationToken);
        await session.ConnectAsync(attemptTimeout).ConfigureAwait(false);

        // Pooled: a fresh 64 KiB per exchange (two per Authenticated probe) was nine tenths of what a probe
        // allocated, and the monitor probes several times a second for months.
        var buffer = ArrayPool<byte>.Shared.Rent(SocketKdcTransport.MaxReplyLength);
        var receive = session.StartReceive(buffer, 0, SocketKdcTransport.MaxReplyLength);
        try
        {
            return await SendUntilAnsweredAsync(session, remote, request, buffer, receive, attemptTimeout, overall).ConfigureAwait(false);
        }
        finally
        {
            // A receive still pending may yet write into the buffer until the socket's disposal aborts it: such a
            // buffer is left to the garbage collector, never handed to another exchange.
            if (receive.IsCompleted)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static async Task<KdcExchange> SendUntilAnsweredAsync(
        KdcSocketSession session, IPEndPoint remote, byte[] request, byte[] buffer, Task<int> receive, TimeSpan attemptTimeout, Deadline overall)
    {
        for (var attempts = 1; ; attempts++)
        {
            var sentAt = Stopwatch.GetTimestamp();
            await session.SendAllAsync(request, attemptTimeout).ConfigureAwait(false);
            if (await session.WaitAsync(receive, overall.CappedAt(attemptTimeout)).ConfigureAwait(false))
            {
                var length = await session.CompleteAsync(receive, overall, "receiving the reply").ConfigureAwait(false);
                var roundTrip = Deadline.StopwatchTicksToTimeSpan(Stopwatch.GetTimestamp() - sentAt);
                if (length == 0)
                {
                    throw session.Fail(KdcTransportFailure.ProtocolError, "the KDC sent an empty datagram");
                }

                var reply = new byte[length];
                Buffer.BlockCopy(buffer, 0, reply, 0, length);
                return new KdcExchange(reply, remote, KdcTransportProtocol.Udp, attempts, roundTrip);
            }

            if (overall.HasPassed)
            {
                throw session.Fail(KdcTransportFailure.Timeout, $"no reply to {attempts} datagram(s) within the deadline");
            }
        }
    }
}
