using System;

namespace KdcHa.Common.DBus;

/// <summary>Bytes from the bus that are not a well-formed DBus message or handshake: the peer is broken or hostile.</summary>
public sealed class DBusProtocolException : KdcHaException
{
    public DBusProtocolException(string message)
        : base(message)
    {
    }

    public DBusProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
