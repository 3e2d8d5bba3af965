using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification;

public interface INotificationChannel
{
    NotificationChannelDefinition Definition { get; }

    /// <summary>Completes once the channel accepted the notification; throws <see cref="NotificationDeliveryException"/> otherwise.</summary>
    Task SendAsync(NotificationEvent notification, CancellationToken cancellationToken);

    /// <summary>What SendAsync would send, with secret references in place of secrets, for -WhatIf.</summary>
    string Preview(NotificationEvent notification);
}
