using System;
using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>The operation needs root: the maintenance file, raw VRRP sockets and interface addresses are root's.</summary>
public sealed class InsufficientPrivilegeException : KdcHaException
{
    public InsufficientPrivilegeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
