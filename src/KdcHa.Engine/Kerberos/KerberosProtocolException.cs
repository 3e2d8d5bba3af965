using System;
using KdcHa.Common;

namespace KdcHa.Kerberos;

/// <summary>
/// The peer sent bytes that are not a valid Kerberos message. Decoders throw only this for hostile input,
/// so a garbage reply is classified as a protocol error instead of crashing a probe.
/// </summary>
public sealed class KerberosProtocolException : KdcHaException
{
    public KerberosProtocolException(string message)
        : base(message)
    {
    }

    public KerberosProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
