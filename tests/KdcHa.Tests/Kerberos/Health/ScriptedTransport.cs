using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Tests.Kerberos.Health;

/// <summary>An in-memory KDC: each exchange hands the request to the next scripted responder.</summary>
internal sealed class ScriptedTransport : IKdcTransport
{
    private readonly Queue<Func<byte[], byte[]>> _replies;

    public ScriptedTransport(params Func<byte[], byte[]>[] replies)
    {
        _replies = new Queue<Func<byte[], byte[]>>(replies);
    }

    public List<KdcTransportProtocol> Protocols { get; } = new();

    public Task<KdcExchange> SendAsync(KdcEndpoint endpoint, byte[] request, KdcTransportProtocol protocol, TimeSpan attemptTimeout, TimeSpan overallTimeout, KdcReplyCheck? checkReply, CancellationToken cancellationToken)
    {
        Protocols.Add(protocol);
        var reply = _replies.Dequeue()(request);
        return Task.FromResult(new KdcExchange(reply, new IPEndPoint(IPAddress.Loopback, 88), protocol, 1, TimeSpan.FromMilliseconds(1)));
    }
}
