using System;

namespace KdcHa.Common.DBus;

/// <summary>
/// The bus cannot be used: nothing listens at the address, the bus refused the authentication, the connection
/// closed, or a reply did not come within its deadline.
/// </summary>
public sealed class DBusConnectionException : KdcHaException
{
    public DBusConnectionException(string message, bool permissionDenied = false)
        : base(message)
    {
        PermissionDenied = permissionDenied;
    }

    public DBusConnectionException(string message, Exception innerException, bool permissionDenied = false)
        : base(message, innerException)
    {
        PermissionDenied = permissionDenied;
    }

    /// <summary>True when the socket's file permissions or the bus's authentication turned this user away.</summary>
    public bool PermissionDenied { get; }
}
