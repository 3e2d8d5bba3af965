using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Kerberos.Transport;

/// <summary>
/// RFC 4120 §7.2.1 exchanges for the whole process on one thread that waits on every pending socket at once: one
/// datagram each way, resent unchanged (the KDC's replay cache answers duplicates) until the deadline. The probe
/// awaiting a reply continues on this thread, so each exchange costs one wake-up of one thread. With an async
/// receive per datagram each reply woke the runtime's socket thread and then a pool worker; on a 2-core host those
/// context switches cost more CPU than the Kerberos work, and delayed the KDCs sharing the cores.
/// </summary>
internal sealed class UdpExchangeLoop
{
    private const int MicrosecondsPerMillisecond = 1000;
    private const int WaitForever = -1;
    private static readonly byte[] WakeDatagram = { 1 };
    private static readonly Lazy<UdpExchangeLoop> SharedLoop = new(() => new UdpExchangeLoop(), LazyThreadSafetyMode.ExecutionAndPublication);

    [ThreadStatic]
    private static bool t_wakesDeferred;

    [ThreadStatic]
    private static bool t_wakeOwed;

    private readonly ConcurrentQueue<PendingUdpExchange> _arriving = new();
    private readonly Dictionary<Socket, PendingUdpExchange> _pending = new();
    private readonly List<PendingUdpExchange> _finished = new();
    private readonly List<Socket> _readable = new();
    private readonly List<Socket> _failed = new();
    private readonly byte[] _receiveBuffer = new byte[SocketKdcTransport.MaxReplyLength];
    private readonly byte[] _wakeBuffer = new byte[16];

    // A loopback socket connected to itself: the portable way to interrupt Socket.Select from another thread.
    private readonly Socket _wakeSocket;
    private readonly Thread _thread;
    private int _wakeSent;

    private UdpExchangeLoop()
    {
        _wakeSocket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _wakeSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _wakeSocket.Connect(_wakeSocket.LocalEndPoint!);
        _wakeSocket.Blocking = false;
        _thread = new Thread(Run) { IsBackground = true, Name = "KdcHa UDP exchanges" };
        _thread.Start();
    }

    /// <summary>The loop every UDP exchange of this process runs on; its thread sleeps while no exchange is pending.</summary>
    public static UdpExchangeLoop Shared => SharedLoop.Value;

    /// <summary>
    /// Sends the first datagram now, on the calling thread, and returns the exchange's outcome. The returned task
    /// completes on the loop's thread: whoever awaits it must not block there, or every other exchange waits too.
    /// </summary>
    /// <exception cref="KdcTransportException">The socket could not be opened or the first datagram not sent.</exception>
    public Task<KdcExchange> ExchangeAsync(
        IPEndPoint remote, byte[] request, TimeSpan attemptTimeout, Deadline overall, KdcReplyCheck? checkReply, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var session = KdcSocketSession.Open(remote, KdcTransportProtocol.Udp, overall, cancellationToken);
        var exchange = new PendingUdpExchange(session, request, attemptTimeout, checkReply, cancellationToken);
        try
        {
            session.ConnectDatagram();
            exchange.Send();
        }
        catch
        {
            session.Dispose();
            throw;
        }

        exchange.WakeOnCancel(this);
        _arriving.Enqueue(exchange);
        Wake();
        return exchange.Task;
    }

    /// <summary>
    /// Runs <paramref name="startExchanges"/>, and wakes the loop once at the end for every exchange it started on
    /// this thread. Woken per exchange, the loop wakes about as often as a caller starts one, since it is quicker to
    /// take an exchange off the queue than the caller is to build the next request.
    /// </summary>
    public void StartTogether(Action startExchanges)
    {
        t_wakesDeferred = true;
        try
        {
            startExchanges();
        }
        finally
        {
            t_wakesDeferred = false;
            if (t_wakeOwed)
            {
                t_wakeOwed = false;
                Wake();
            }
        }
    }

    /// <summary>Makes the loop look at its queue and its exchanges' cancellation now.</summary>
    public void Wake()
    {
        if (t_wakesDeferred)
        {
            t_wakeOwed = true;
        }
        else if (Thread.CurrentThread != _thread && Interlocked.Exchange(ref _wakeSent, 1) == 0)
        {
            // The loop's own thread (a probe continuing after a reply) reads the queue before it next waits.
            _wakeSocket.Send(WakeDatagram, 0, WakeDatagram.Length, SocketFlags.None, out _);
        }
    }

    private void Run()
    {
        while (true)
        {
            try
            {
                RunOnce();
            }
            catch (Exception bug)
            {
                // Nothing here is expected to throw; if something does, the exchanges waiting on this thread fail
                // with it rather than hang past their deadlines, and the loop goes on serving new ones.
                _finished.Clear();
                foreach (var exchange in _pending.Values)
                {
                    exchange.Fail(bug);
                    _finished.Add(exchange);
                }

                PublishFinished();
            }
        }
    }

    private void RunOnce()
    {
        while (_arriving.TryDequeue(out var arrived))
        {
            _pending.Add(arrived.Session.Socket, arrived);
        }

        _readable.Clear();
        _failed.Clear();
        _readable.Add(_wakeSocket);
        foreach (var socket in _pending.Keys)
        {
            _readable.Add(socket);

            // A refused datagram (ICMP port unreachable) shows up as an error, not as something to read.
            _failed.Add(socket);
        }

        Socket.Select(_readable, null, _failed.Count == 0 ? null : _failed, WaitMicroseconds());
        var arrivedAt = Stopwatch.GetTimestamp();
        if (_readable.Contains(_wakeSocket))
        {
            // Drained before the flag is cleared, and both before the queue is read: a wake sent after this point
            // is either for an exchange the next read of the queue finds, or makes the next wait return at once.
            while (_wakeSocket.Receive(_wakeBuffer, 0, _wakeBuffer.Length, SocketFlags.None, out _) > 0)
            {
            }

            Volatile.Write(ref _wakeSent, 0);
        }

        ReceiveFrom(_readable, arrivedAt);
        ReceiveFrom(_failed, arrivedAt);
        foreach (var exchange in _pending.Values)
        {
            if (!exchange.IsFinished)
            {
                exchange.RunTimers();
            }

            if (exchange.IsFinished)
            {
                _finished.Add(exchange);
            }
        }

        PublishFinished();
    }

    private void ReceiveFrom(List<Socket> ready, long arrivedAt)
    {
        foreach (var socket in ready)
        {
            if (_pending.TryGetValue(socket, out var exchange) && !exchange.IsFinished)
            {
                exchange.Receive(_receiveBuffer, arrivedAt);
            }
        }
    }

    private int WaitMicroseconds()
    {
        if (!_arriving.IsEmpty)
        {
            return 0;
        }

        var earliest = TimeSpan.MaxValue;
        foreach (var exchange in _pending.Values)
        {
            var next = exchange.NextTimer;
            earliest = next < earliest ? next : earliest;
        }

        if (earliest == TimeSpan.MaxValue)
        {
            return WaitForever;
        }

        // Rounded up to whole milliseconds, poll(2)'s unit: waking before a timer is due would spin until it is.
        var milliseconds = Math.Ceiling(earliest.TotalMilliseconds);
        return (int)Math.Min(int.MaxValue / MicrosecondsPerMillisecond, milliseconds) * MicrosecondsPerMillisecond;
    }

    // Callers continue inside Publish, and may start new exchanges from there: the dictionary is settled first.
    private void PublishFinished()
    {
        foreach (var exchange in _finished)
        {
            _pending.Remove(exchange.Session.Socket);
        }

        foreach (var exchange in _finished)
        {
            exchange.Publish();
        }

        _finished.Clear();
    }
}

/// <summary>
/// One UDP exchange in an <see cref="UdpExchangeLoop"/>: its socket, the request it resends, its timers, and the
/// task its caller awaits. Everything but construction runs on the loop's thread.
/// </summary>
/// <remarks>
/// A connected socket only filters by source address and port, which anyone on the path, or off it with a forged
/// source, can match. So a datagram is only the answer when the caller's check says so; junk is counted and the
/// exchange keeps waiting, and resending, until the deadline. One forged datagram then cannot fail a probe whose
/// real answer follows.
/// </remarks>
internal sealed class PendingUdpExchange
{
    // No RunContinuationsAsynchronously: the caller (a probe) continues on the loop's thread, which is the point.
    private readonly TaskCompletionSource<KdcExchange> _completion = new();
    private readonly byte[] _request;
    private readonly TimeSpan _attemptTimeout;
    private readonly KdcReplyCheck? _checkReply;
    private string? _lastJunk;
    private CancellationTokenRegistration _wakeOnCancel;
    private long _sentAt;
    private Deadline _resendAt;
    private Action? _publish;

    public PendingUdpExchange(KdcSocketSession session, byte[] request, TimeSpan attemptTimeout, KdcReplyCheck? checkReply, CancellationToken cancellationToken)
    {
        Session = session;
        _request = request;
        _attemptTimeout = attemptTimeout;
        _checkReply = checkReply;
        CancellationToken = cancellationToken;
    }

    public KdcSocketSession Session { get; }

    public CancellationToken CancellationToken { get; }

    public Task<KdcExchange> Task => _completion.Task;

    public int Attempts { get; private set; }

    /// <summary>Datagrams from the KDC's address that did not answer this request.</summary>
    public int JunkReplies { get; private set; }

    /// <summary>True once an outcome is recorded; the loop then drops the exchange and publishes it.</summary>
    public bool IsFinished => _publish is not null;

    /// <summary>The earlier of the next resend and the overall deadline: the loop must look at this exchange by then.</summary>
    public TimeSpan NextTimer => _resendAt.Remaining;

    public void WakeOnCancel(UdpExchangeLoop loop)
    {
        if (CancellationToken.CanBeCanceled)
        {
            _wakeOnCancel = CancellationToken.Register(static state => ((UdpExchangeLoop)state!).Wake(), loop);
        }
    }

    /// <exception cref="KdcTransportException">The kernel refused the datagram (no route, for one).</exception>
    public void Send()
    {
        _sentAt = Stopwatch.GetTimestamp();
        Session.SendDatagram(_request);
        Attempts++;
        _resendAt = Session.Overall.CappedAt(_attemptTimeout);
    }

    /// <summary>Reads a datagram the loop saw arrive; records the outcome if it is the answer to this request.</summary>
    public void Receive(byte[] buffer, long arrivedAt)
    {
        int length;
        try
        {
            if (!Session.TryReceiveDatagram(buffer, out length))
            {
                return;
            }
        }
        catch (KdcTransportException failure)
        {
            Fail(failure);
            return;
        }

        var reply = buffer.AsSpan(0, length).ToArray();
        var junk = length == 0 ? "an empty datagram" : _checkReply?.Invoke(reply);
        if (junk is not null)
        {
            JunkReplies++;
            _lastJunk = junk;
            return;
        }

        var roundTrip = Deadline.StopwatchTicksToTimeSpan(arrivedAt - _sentAt);
        var exchange = new KdcExchange(reply, Session.Remote, KdcTransportProtocol.Udp, Attempts, roundTrip) { JunkReplies = JunkReplies };
        _publish = () => _completion.TrySetResult(exchange);
    }

    /// <summary>Cancels, times out or resends, whichever is due now.</summary>
    public void RunTimers()
    {
        if (CancellationToken.IsCancellationRequested)
        {
            _publish = () => _completion.TrySetCanceled(CancellationToken);
        }
        else if (Session.Overall.HasPassed && JunkReplies > 0)
        {
            // Something at the KDC's address answers, only never this request: a broken KDC or a forger, not a hang.
            var failure = Session.Fail(
                KdcTransportFailure.ProtocolError,
                $"none of the {JunkReplies} datagram(s) that came back to {Attempts} request(s) answered this request within the deadline; the last was {_lastJunk}");
            failure.JunkReplies = JunkReplies;
            Fail(failure);
        }
        else if (Session.Overall.HasPassed)
        {
            Fail(Session.Fail(KdcTransportFailure.Timeout, $"no reply to {Attempts} datagram(s) within the deadline"));
        }
        else if (_resendAt.HasPassed)
        {
            try
            {
                Send();
            }
            catch (KdcTransportException failure)
            {
                Fail(failure);
            }
        }
    }

    public void Fail(Exception failure) => _publish = () => _completion.TrySetException(failure);

    /// <summary>Closes the socket, then lets the caller continue; called once, after the loop has let go of the exchange.</summary>
    public void Publish()
    {
        _wakeOnCancel.Dispose();
        Session.Dispose();
        _publish!();
    }
}
