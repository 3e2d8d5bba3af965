using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
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
    /// <param name="checkReply">
    /// UDP: tells the answer to this request from junk (another exchange's reply, a spoofed or garbled datagram); the
    /// transport counts junk and keeps waiting for the answer until the deadline. Null takes any non-empty datagram.
    /// TCP ignores it: the connection is this request's alone, so whatever comes back is the answer to classify.
    /// </param>
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
        KdcReplyCheck? checkReply,
        CancellationToken cancellationToken);
}

/// <summary>Null when <paramref name="reply"/> answers the request just sent; otherwise why it is junk.</summary>
public delegate string? KdcReplyCheck(byte[] reply);

public enum KdcTransportProtocol
{
    Udp,
    Tcp,

    /// <summary>
    /// UDP first, TCP after KRB_ERR_RESPONSE_TOO_BIG. Only the caller can see that error code, so the
    /// caller resolves Auto; <see cref="IKdcTransport"/> accepts only Udp or Tcp.
    /// </summary>
    Auto,
}

public enum KdcTransportFailure
{
    /// <summary>Nothing (or not all of the reply) arrived before a deadline: a hung or black-holed KDC.</summary>
    Timeout,

    /// <summary>The host answered that nothing listens on the port (TCP RST, ICMP port unreachable).</summary>
    Refused,

    /// <summary>The network or host cannot be reached from here (no route, host unreachable, no such address family).</summary>
    Unreachable,

    /// <summary>The KDC host name did not resolve (not found, resolver failure, or resolver slower than the deadline).</summary>
    NameResolution,

    /// <summary>Something answered, but not with a well-framed reply (bad length prefix, truncation, reset mid-reply).</summary>
    ProtocolError,
}

/// <summary>
/// The real transport over OS sockets. Every path is bounded by the overall deadline, name resolution included,
/// because a health check that hangs on a hung KDC reports nothing at all.
/// </summary>
public sealed class SocketKdcTransport : IKdcTransport
{
    /// <summary>Largest reply accepted: a UDP datagram cannot be bigger, and a TCP length prefix above it is refused unread.</summary>
    public const int MaxReplyLength = 65536;

    /// <summary>Largest UDP payload over IPv4; a bigger request belongs on TCP.</summary>
    public const int MaxUdpRequestLength = 65507;

    // Task.Delay cannot wait longer than int.MaxValue milliseconds.
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    private readonly Func<string, Task<IPAddress[]>> _resolveHost;

    public SocketKdcTransport()
        : this(Dns.GetHostAddressesAsync)
    {
    }

    /// <summary>Lets tests substitute a resolver that hangs, fails or returns chosen loopback addresses.</summary>
    internal SocketKdcTransport(Func<string, Task<IPAddress[]>> resolveHost)
    {
        _resolveHost = resolveHost ?? throw new ArgumentNullException(nameof(resolveHost));
    }

    public Task<KdcExchange> SendAsync(
        KdcEndpoint endpoint,
        byte[] request,
        KdcTransportProtocol protocol,
        TimeSpan attemptTimeout,
        TimeSpan overallTimeout,
        KdcReplyCheck? checkReply,
        CancellationToken cancellationToken)
    {
        if (endpoint is null)
        {
            throw new ArgumentNullException(nameof(endpoint));
        }

        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        if (request.Length == 0)
        {
            throw new ArgumentException("The request is empty.", nameof(request));
        }

        if (protocol != KdcTransportProtocol.Udp && protocol != KdcTransportProtocol.Tcp)
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "The transport takes Udp or Tcp; the caller resolves Auto.");
        }

        if (protocol == KdcTransportProtocol.Udp && request.Length > MaxUdpRequestLength)
        {
            throw new ArgumentException($"A {request.Length}-byte request does not fit in a UDP datagram; use Tcp.", nameof(request));
        }

        CheckTimeout(attemptTimeout, nameof(attemptTimeout));
        CheckTimeout(overallTimeout, nameof(overallTimeout));
        return SendCoreAsync(endpoint, request, protocol, attemptTimeout, Deadline.After(overallTimeout), checkReply, cancellationToken);
    }

    private static void CheckTimeout(TimeSpan timeout, string parameterName)
    {
        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(parameterName, timeout, "A timeout must be positive and at most int.MaxValue milliseconds.");
        }
    }

    private async Task<KdcExchange> SendCoreAsync(
        KdcEndpoint endpoint,
        byte[] request,
        KdcTransportProtocol protocol,
        TimeSpan attemptTimeout,
        Deadline overall,
        KdcReplyCheck? checkReply,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var addresses = await ResolveAsync(endpoint, protocol, overall, cancellationToken).ConfigureAwait(false);
        var failures = new List<KdcTransportException>();
        foreach (var address in addresses)
        {
            var remote = new IPEndPoint(address, endpoint.Port);
            try
            {
                return protocol == KdcTransportProtocol.Udp
                    ? await UdpExchangeLoop.Shared.ExchangeAsync(remote, request, attemptTimeout, overall, checkReply, cancellationToken).ConfigureAwait(false)
                    : await TcpKdcExchanger.ExchangeAsync(remote, request, attemptTimeout, overall, cancellationToken).ConfigureAwait(false);
            }
            catch (KdcTransportException failure) when (failure.Failure != KdcTransportFailure.ProtocolError && !overall.HasPassed)
            {
                // This address is not serving (refused, unreachable, silent); another address of the same name may be.
                // A protocol error is not retried: something there answered, and that is the finding.
                failures.Add(failure);
            }
            catch (KdcTransportException failure)
            {
                failures.Add(failure);
                break;
            }
        }

        throw Summarize(endpoint, failures);
    }

    private static KdcTransportException Summarize(KdcEndpoint endpoint, List<KdcTransportException> failures)
    {
        var last = failures[failures.Count - 1];
        if (failures.Count == 1)
        {
            return last;
        }

        var earlier = string.Join(" ", failures.Take(failures.Count - 1).Select(failure => failure.Message));
        return new KdcTransportException(
            $"{last.Message} Earlier addresses of {endpoint.Host}: {earlier}",
            last.Failure,
            last.Protocol,
            last);
    }

    private async Task<IReadOnlyList<IPAddress>> ResolveAsync(
        KdcEndpoint endpoint, KdcTransportProtocol protocol, Deadline overall, CancellationToken cancellationToken)
    {
        if (endpoint.Address is not null)
        {
            return new[] { endpoint.Address };
        }

        // A resolver may block its caller (Dns.GetHostAddressesAsync is sync-over-async on some platforms), which
        // would escape the deadline. A dedicated thread rather than the pool, because a blocked pool thread delays
        // the very timer callbacks that enforce every deadline in the process.
        var lookup = AbandonedTask.ObserveFault(Task.Factory.StartNew(
            () => _resolveHost(endpoint.Host),
            CancellationToken.None,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default).Unwrap());

        if (!await overall.WaitAsync(lookup, cancellationToken).ConfigureAwait(false))
        {
            throw NameResolutionFailure(endpoint, protocol, "the resolver did not answer within the deadline", null);
        }

        IPAddress[]? resolved;
        try
        {
            resolved = await lookup.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Whatever the resolver throws (SocketException for NXDOMAIN, anything from a broken resolver) means
            // the name could not be turned into an address; it says nothing about the KDC itself.
            throw NameResolutionFailure(endpoint, protocol, exception.Message, exception);
        }

        var usable = (resolved ?? Array.Empty<IPAddress>())
            .Where(address => address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            .Distinct()
            .ToList();
        if (usable.Count == 0)
        {
            throw NameResolutionFailure(endpoint, protocol, "the name has no IPv4 or IPv6 address", null);
        }

        return usable;
    }

    private static KdcTransportException NameResolutionFailure(KdcEndpoint endpoint, KdcTransportProtocol protocol, string detail, Exception? inner)
    {
        var message = $"Cannot resolve KDC host '{endpoint.Host}': {detail}.";
        return inner is null
            ? new KdcTransportException(message, KdcTransportFailure.NameResolution, protocol)
            : new KdcTransportException(message, KdcTransportFailure.NameResolution, protocol, inner);
    }
}

/// <summary>Maps OS socket errors to what they say about the KDC; the same errno means different things before and after a TCP connect.</summary>
internal static class SocketFailureClassifier
{
    public static KdcTransportFailure Classify(SocketError error, bool tcpConnected)
    {
        switch (error)
        {
            case SocketError.ConnectionRefused:
                return KdcTransportFailure.Refused;

            // Windows reports ICMP port unreachable on a UDP socket as a reset; on an established TCP stream a
            // reset means the KDC dropped the exchange half way.
            case SocketError.ConnectionReset:
                return tcpConnected ? KdcTransportFailure.ProtocolError : KdcTransportFailure.Refused;

            case SocketError.TimedOut:
                return KdcTransportFailure.Timeout;

            case SocketError.HostUnreachable:
            case SocketError.NetworkUnreachable:
            case SocketError.NetworkDown:
            case SocketError.HostDown:
            case SocketError.AddressNotAvailable:
            case SocketError.AddressFamilyNotSupported:
            case SocketError.ProtocolFamilyNotSupported:
                return KdcTransportFailure.Unreachable;

            default:
                return tcpConnected ? KdcTransportFailure.ProtocolError : KdcTransportFailure.Unreachable;
        }
    }
}
