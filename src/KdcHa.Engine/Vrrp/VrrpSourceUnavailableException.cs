using System;
using KdcHa.Common;

namespace KdcHa.Vrrp;

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
