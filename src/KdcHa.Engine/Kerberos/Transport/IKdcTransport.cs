using System;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Kerberos.Transport;

/// <summary>Sends one Kerberos message to one KDC and returns its reply, within hard deadlines.</summary>
public interface IKdcTransport
{
    /// <summary>
    /// Sends <paramref name="request"/> and returns the reply.
    /// </summary>
    /// <param name="endpoint">One KDC; a host name is resolved within <paramref name="overallTimeout"/>.</param>
    /// <param name="request">One unframed DER message; the TCP length prefix is added by the transport and stripped from the reply.</param>
    /// <param name="protocol">Udp or Tcp; Auto must be resolved by the caller.</param>
    /// <param name="attemptTimeout">
    /// UDP: wait this long for a reply before resending the same bytes. TCP: cap on each of connect, send and receive.
    /// </param>
    /// <param name="overallTimeout">Hard budget for the whole call, name resolution included, measured from the call.</param>
    /// <param name="cancellationToken">The caller giving up (Ctrl+C): surfaces as OperationCanceledException, never as Timeout.</param>
    /// <exception cref="KdcTransportException">The exchange failed; <see cref="KdcTransportException.Failure"/> says how.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentException">A bad argument.</exception>
    Task<KdcExchange> SendAsync(
        KdcEndpoint endpoint,
        byte[] request,
        KdcTransportProtocol protocol,
        TimeSpan attemptTimeout,
        TimeSpan overallTimeout,
        CancellationToken cancellationToken);
}
