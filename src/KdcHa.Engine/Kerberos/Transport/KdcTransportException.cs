using System;
using KdcHa.Common;

namespace KdcHa.Kerberos.Transport;

/// <summary>
/// The only failure a transport reports for an exchange that could not complete, so callers classify a KDC
/// from <see cref="Failure"/> instead of catching socket, timeout and disposal exceptions themselves.
/// </summary>
public sealed class KdcTransportException : KdcHaException
{
    public KdcTransportException(string message, KdcTransportFailure failure, KdcTransportProtocol protocol)
        : base(message)
    {
        Failure = failure;
        Protocol = protocol;
    }

    public KdcTransportException(string message, KdcTransportFailure failure, KdcTransportProtocol protocol, Exception innerException)
        : base(message, innerException)
    {
        Failure = failure;
        Protocol = protocol;
    }

    public KdcTransportFailure Failure { get; }

    public KdcTransportProtocol Protocol { get; }
}
