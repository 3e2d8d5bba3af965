using System;
using System.Net;

namespace KdcHa.Kerberos.Transport;

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
}
