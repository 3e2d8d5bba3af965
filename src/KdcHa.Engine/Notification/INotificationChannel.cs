using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification;

public interface INotificationChannel
{
    NotificationChannelDefinition Definition { get; }

    /// <summary>
    /// Completes with the channel's answer (an HTTP status, the SMTP reply to the message, an exit code) once the
    /// channel accepted the notification, for Test-KdcHaNotificationChannel to show; throws
    /// <see cref="NotificationDeliveryException"/> otherwise.
    /// </summary>
    Task<string> SendAsync(NotificationEvent notification, CancellationToken cancellationToken);

    /// <summary>What SendAsync would send, with secret references in place of secrets, for -WhatIf.</summary>
    string Preview(NotificationEvent notification);
}
