using System;
using KdcHa.Common;

namespace KdcHa.Notification;

public sealed class SpoolCorruptException : KdcHaException
{
    public SpoolCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
