namespace KdcHa.Kerberos.Transport;

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
