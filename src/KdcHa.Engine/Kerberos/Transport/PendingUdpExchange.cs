using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Kerberos.Transport;

/// <summary>
/// One UDP exchange in an <see cref="UdpExchangeLoop"/>: its socket, the request it resends, its timers, and the
/// task its caller awaits. Everything but construction runs on the loop's thread.
/// </summary>
internal sealed class PendingUdpExchange
{
    // No RunContinuationsAsynchronously: the caller (a probe) continues on the loop's thread, which is the point.
    private readonly TaskCompletionSource<KdcExchange> _completion = new();
    private readonly byte[] _request;
    private readonly TimeSpan _attemptTimeout;
    private CancellationTokenRegistration _wakeOnCancel;
    private long _sentAt;
    private Deadline _resendAt;
    private Action? _publish;

    public PendingUdpExchange(KdcSocketSession session, byte[] request, TimeSpan attemptTimeout, CancellationToken cancellationToken)
    {
        Session = session;
        _request = request;
        _attemptTimeout = attemptTimeout;
        CancellationToken = cancellationToken;
    }

    public KdcSocketSession Session { get; }

    public CancellationToken CancellationToken { get; }

    public Task<KdcExchange> Task => _completion.Task;

    public int Attempts { get; private set; }

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

    /// <summary>Reads a datagram the loop saw arrive; records the outcome unless the readiness was spurious.</summary>
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

        if (length == 0)
        {
            Fail(Session.Fail(KdcTransportFailure.ProtocolError, "the KDC sent an empty datagram"));
            return;
        }

        var reply = new byte[length];
        Buffer.BlockCopy(buffer, 0, reply, 0, length);
        var roundTrip = Deadline.StopwatchTicksToTimeSpan(arrivedAt - _sentAt);
        var exchange = new KdcExchange(reply, Session.Remote, KdcTransportProtocol.Udp, Attempts, roundTrip);
        _publish = () => _completion.TrySetResult(exchange);
    }

    /// <summary>Cancels, times out or resends, whichever is due now.</summary>
    public void RunTimers()
    {
        if (CancellationToken.IsCancellationRequested)
        {
            _publish = () => _completion.TrySetCanceled(CancellationToken);
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
