using System;
using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>No keepalived runs for the pid file given: the file is missing or empty.</summary>
public sealed class KeepalivedNotRunningException : KdcHaException
{
    public KeepalivedNotRunningException(string message)
        : base(message)
    {
    }

    public KeepalivedNotRunningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
