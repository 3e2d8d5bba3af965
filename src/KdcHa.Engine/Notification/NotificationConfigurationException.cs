using System;
using KdcHa.Common;

namespace KdcHa.Notification;

/// <summary>A configuration file or channel definition that cannot be used as written.</summary>
public sealed class NotificationConfigurationException : KdcHaException
{
    public NotificationConfigurationException(string message)
        : base(message)
    {
    }

    public NotificationConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
