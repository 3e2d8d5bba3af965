using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Kerberos.Transport;

/// <summary>
/// One socket to one KDC address under one overall deadline. Every socket operation of both protocols goes through
/// here, so each is raced against a deadline, a late one is aborted by disposing the socket, its abandoned task is
/// observed, and every failure leaves as a classified <see cref="KdcTransportException"/>.
/// </summary>
internal sealed class KdcSocketSession : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationToken _cancellationToken;
    private bool _tcpConnected;

    private KdcSocketSession(Socket socket, IPEndPoint remote, KdcTransportProtocol protocol, Deadline overall, CancellationToken cancellationToken)
    {
        _socket = socket;
        Remote = remote;
        Protocol = protocol;
        Overall = overall;
        _cancellationToken = cancellationToken;
    }

    public IPEndPoint Remote { get; }

    public KdcTransportProtocol Protocol { get; }

    public Deadline Overall { get; }

    public static KdcSocketSession Open(IPEndPoint remote, KdcTransportProtocol protocol, Deadline overall, CancellationToken cancellationToken)
    {
        var (socketType, protocolType) = protocol == KdcTransportProtocol.Udp
            ? (SocketType.Dgram, ProtocolType.Udp)
            : (SocketType.Stream, ProtocolType.Tcp);
        Socket socket;
        try
        {
            socket = new Socket(remote.AddressFamily, socketType, protocolType);
        }
        catch (SocketException exception)
        {
            throw new KdcTransportException(
                $"Cannot open a {protocol} socket for {remote}: {exception.Message}",
                SocketFailureClassifier.Classify(exception.SocketErrorCode, tcpConnected: false),
                protocol,
                exception);
        }

        return new KdcSocketSession(socket, remote, protocol, overall, cancellationToken);
    }

    /// <summary>The socket, for a wait on many sessions at once.</summary>
    public Socket Socket => _socket;

    /// <summary>
    /// Fixes a UDP peer address, which only records it locally and cannot block. The kernel then drops datagrams
    /// from anyone else and reports ICMP port unreachable as ConnectionRefused, which is what turns a dead KDC into
    /// Refused instead of a slow Timeout.
    /// </summary>
    public void ConnectDatagram()
    {
        try
        {
            _socket.Connect(Remote);
        }
        catch (SocketException exception)
        {
            throw SocketFailure(exception, "connecting");
        }

        // Readiness comes from the caller's wait; a read must never block the thread that waits for everyone.
        _socket.Blocking = false;
    }

    /// <summary>Sends one datagram. A full send buffer drops it, as the network may: the resend timer covers both.</summary>
    public void SendDatagram(byte[] datagram)
    {
        _socket.Send(datagram, 0, datagram.Length, SocketFlags.None, out var error);
        if (error != SocketError.Success && error != SocketError.WouldBlock)
        {
            throw SocketFailure(new SocketException((int)error), "sending");
        }
    }

    /// <summary>Reads one datagram if one is queued; a pending ICMP error surfaces here.</summary>
    /// <returns>False if nothing was queued after all.</returns>
    public bool TryReceiveDatagram(byte[] buffer, out int length)
    {
        length = _socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out var error);
        return error switch
        {
            SocketError.Success => true,
            SocketError.WouldBlock => false,
            _ => throw SocketFailure(new SocketException((int)error), "receiving the reply"),
        };
    }

    /// <summary>Connects a TCP socket within <paramref name="phaseCap"/> and the overall deadline.</summary>
    public async Task ConnectAsync(TimeSpan phaseCap)
    {
        await CompleteAsync(ToVoidResult(_socket.ConnectAsync(Remote)), Overall.CappedAt(phaseCap), "connecting").ConfigureAwait(false);
        _tcpConnected = true;
    }

    public async Task SendAllAsync(byte[] data, TimeSpan phaseCap)
    {
        var until = Overall.CappedAt(phaseCap);
        var sent = 0;
        while (sent < data.Length)
        {
            sent += await CompleteAsync(
                _socket.SendAsync(new ArraySegment<byte>(data, sent, data.Length - sent), SocketFlags.None),
                until,
                "sending").ConfigureAwait(false);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, or fails: early end of stream is a protocol error.</summary>
    public async Task ReceiveExactlyAsync(byte[] buffer, int count, Deadline until, string what)
    {
        var received = 0;
        while (received < count)
        {
            var read = await CompleteAsync(
                _socket.ReceiveAsync(new ArraySegment<byte>(buffer, received, count - received), SocketFlags.None),
                until,
                "receiving " + what).ConfigureAwait(false);
            if (read == 0)
            {
                throw Fail(KdcTransportFailure.ProtocolError, $"the KDC closed the connection after {received} of {count} bytes of {what}");
            }

            received += read;
        }
    }

    /// <summary>Awaits an operation to its outcome within <paramref name="until"/>, classifying every way it can fail.</summary>
    public async Task<T> CompleteAsync<T>(Task<T> operation, Deadline until, string phase)
    {
        _ = AbandonedTask.ObserveFault(operation);
        if (!await until.WaitAsync(operation, _cancellationToken).ConfigureAwait(false))
        {
            throw Fail(KdcTransportFailure.Timeout, $"no progress while {phase} within the deadline");
        }

        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (SocketException exception)
        {
            throw SocketFailure(exception, phase);
        }
    }

    public KdcTransportException Fail(KdcTransportFailure failure, string detail) =>
        new($"{Protocol} exchange with {Remote} failed ({failure}): {detail}.", failure, Protocol);

    /// <summary>Aborts whatever is still pending on the socket; its tasks fault and are already observed.</summary>
    public void Dispose() => _socket.Dispose();

    private KdcTransportException SocketFailure(SocketException exception, string phase)
    {
        var failure = SocketFailureClassifier.Classify(exception.SocketErrorCode, _tcpConnected);
        return new KdcTransportException(
            $"{Protocol} exchange with {Remote} failed ({failure}) while {phase}: {exception.SocketErrorCode}: {exception.Message}",
            failure,
            Protocol,
            exception);
    }

    private static async Task<bool> ToVoidResult(Task operation)
    {
        await operation.ConfigureAwait(false);
        return true;
    }
}

/// <summary>One request/reply exchange with a KDC, as the transport saw it (the reply is not yet decoded).</summary>
public sealed class KdcExchange
{
    public KdcExchange(byte[] reply, IPEndPoint remoteEndPoint, KdcTransportProtocol protocol, int attempts, TimeSpan roundTrip)
    {
        if (protocol != KdcTransportProtocol.Udp && protocol != KdcTransportProtocol.Tcp)
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "An exchange happens over Udp or Tcp.");
        }

        if (attempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(attempts), attempts, "An exchange needs at least one attempt.");
        }

        if (roundTrip < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(roundTrip), roundTrip, "A round trip cannot be negative.");
        }

        Reply = reply ?? throw new ArgumentNullException(nameof(reply));
        RemoteEndPoint = remoteEndPoint ?? throw new ArgumentNullException(nameof(remoteEndPoint));
        Protocol = protocol;
        Attempts = attempts;
        RoundTrip = roundTrip;
    }

    public byte[] Reply { get; }

    /// <summary>The resolved address that answered; a host name may resolve to several.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    public KdcTransportProtocol Protocol { get; }

    /// <summary>How many times the request was sent to <see cref="RemoteEndPoint"/> (UDP resends; TCP is always 1).</summary>
    public int Attempts { get; }

    /// <summary>
    /// From the send of the final attempt to the reply, so UDP retries do not inflate it. Over UDP a late reply
    /// to an earlier attempt can make it shorter than the real latency.
    /// </summary>
    public TimeSpan RoundTrip { get; }

    /// <summary>UDP datagrams from <see cref="RemoteEndPoint"/> that came before the reply and did not answer the request.</summary>
    public int JunkReplies { get; init; }
}

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

    internal static byte[] Frame(byte[] request)
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
