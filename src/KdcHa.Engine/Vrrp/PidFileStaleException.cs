using System;
using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>The pid file is left from a keepalived that is gone: the pid is dead or now belongs to another program.</summary>
public sealed class PidFileStaleException : KdcHaException
{
    public PidFileStaleException(string message)
        : base(message)
    {
    }

    public PidFileStaleException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
