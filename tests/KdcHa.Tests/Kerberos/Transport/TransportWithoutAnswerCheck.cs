using System;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Tests.Kerberos.Transport;

/// <summary>The transport's own tests send opaque bytes, not AS-REQs: any non-empty datagram is the answer.</summary>
internal static class TransportWithoutAnswerCheck
{
    public static Task<KdcExchange> SendAsync(
        this IKdcTransport transport,
        KdcEndpoint endpoint,
        byte[] request,
        KdcTransportProtocol protocol,
        TimeSpan attemptTimeout,
        TimeSpan overallTimeout,
        CancellationToken cancellationToken) =>
        transport.SendAsync(endpoint, request, protocol, attemptTimeout, overallTimeout, null, cancellationToken);
}
