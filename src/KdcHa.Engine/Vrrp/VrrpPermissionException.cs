using System;
using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>The process lacks a permission a VRRP source needs: signalling keepalived, reading its dump, or a raw socket.</summary>
public sealed class VrrpPermissionException : KdcHaException
{
    public VrrpPermissionException(string message)
        : base(message)
    {
    }

    public VrrpPermissionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
