using System;
using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>A keepalived dump (JSON or .data) or configuration that does not have the expected shape.</summary>
public sealed class KeepalivedDumpFormatException : KdcHaException
{
    public KeepalivedDumpFormatException(string message)
        : base(message)
    {
    }

    public KeepalivedDumpFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
