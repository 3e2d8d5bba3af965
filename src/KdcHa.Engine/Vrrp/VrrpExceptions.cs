using System;
using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>The named interface does not exist in the caller's network namespace.</summary>
public sealed class VrrpInterfaceNotFoundException : KdcHaException
{
    public VrrpInterfaceNotFoundException(string interfaceName)
        : base($"There is no interface '{interfaceName}' in this network namespace.")
    {
        InterfaceName = interfaceName;
    }

    public string InterfaceName { get; }
}

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

/// <summary>The chosen source cannot answer here (keepalived built without JSON, a dump that never came, no interface to listen on).</summary>
public sealed class VrrpSourceUnavailableException : KdcHaException
{
    public VrrpSourceUnavailableException(string message)
        : base(message)
    {
    }

    public VrrpSourceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The operation needs root: the maintenance file, raw VRRP sockets and interface addresses are root's.</summary>
public sealed class InsufficientPrivilegeException : KdcHaException
{
    public InsufficientPrivilegeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
