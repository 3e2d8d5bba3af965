namespace KdcHa.Kerberos.Transport;

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
