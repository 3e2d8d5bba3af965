using System;
using System.Diagnostics;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Kerberos.Transport;

/// <summary>
/// RFC 4120 §7.2.2: a 4-byte big-endian length before each message. Connect, send and receive are time-boxed
/// separately because a hung KDC still completes the kernel handshake and then never answers.
/// </summary>
internal static class TcpKdcExchanger
{
    private const int LengthPrefixSize = 4;

    public static async Task<KdcExchange> ExchangeAsync(
        IPEndPoint remote, byte[] request, TimeSpan attemptTimeout, Deadline overall, CancellationToken cancellationToken)
    {
        using var session = KdcSocketSession.Open(remote, KdcTransportProtocol.Tcp, overall, cancellationToken);
        await session.ConnectAsync(attemptTimeout).ConfigureAwait(false);

        var sentAt = Stopwatch.GetTimestamp();
        await session.SendAllAsync(Frame(request), attemptTimeout).ConfigureAwait(false);

        var receiveDeadline = overall.CappedAt(attemptTimeout);
        var prefix = new byte[LengthPrefixSize];
        await session.ReceiveExactlyAsync(prefix, LengthPrefixSize, receiveDeadline, "the length prefix").ConfigureAwait(false);
        var length = ReadReplyLength(session, prefix);
        var reply = new byte[length];
        await session.ReceiveExactlyAsync(reply, length, receiveDeadline, "the reply").ConfigureAwait(false);
        var roundTrip = Deadline.StopwatchTicksToTimeSpan(Stopwatch.GetTimestamp() - sentAt);
        return new KdcExchange(reply, remote, KdcTransportProtocol.Tcp, 1, roundTrip);
    }

    private static byte[] Frame(byte[] request)
    {
        var framed = new byte[LengthPrefixSize + request.Length];
        WriteBigEndian(framed, request.Length);
        Buffer.BlockCopy(request, 0, framed, LengthPrefixSize, request.Length);
        return framed;
    }

    // Validated before anything is allocated: the prefix is attacker-controlled and could ask for 2 GiB.
    private static int ReadReplyLength(KdcSocketSession session, byte[] prefix)
    {
        var length = ((uint)prefix[0] << 24) | ((uint)prefix[1] << 16) | ((uint)prefix[2] << 8) | prefix[3];
        if ((length & 0x80000000u) != 0)
        {
            throw session.Fail(KdcTransportFailure.ProtocolError, $"the reply length prefix 0x{length:X8} has the reserved high bit set");
        }

        if (length == 0)
        {
            throw session.Fail(KdcTransportFailure.ProtocolError, "the reply length prefix is zero");
        }

        if (length > SocketKdcTransport.MaxReplyLength)
        {
            throw session.Fail(
                KdcTransportFailure.ProtocolError,
                $"the reply length prefix {length} exceeds the {SocketKdcTransport.MaxReplyLength}-byte limit");
        }

        return (int)length;
    }

    private static void WriteBigEndian(byte[] destination, int value)
    {
        destination[0] = (byte)(value >> 24);
        destination[1] = (byte)(value >> 16);
        destination[2] = (byte)(value >> 8);
        destination[3] = (byte)value;
    }
}
