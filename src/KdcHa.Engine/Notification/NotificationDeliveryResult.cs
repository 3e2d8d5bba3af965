using System;

namespace KdcHa.Notification;

/// <summary>
/// What became of one notification on one channel. Enumerations are names and times UTC, so the object passes
/// through ConvertTo-Json unchanged for scripts and Ansible.
/// </summary>
public sealed class NotificationDeliveryResult
{
    public string EventId { get; init; } = string.Empty;

    public string Channel { get; init; } = string.Empty;

    public string ChannelType { get; init; } = string.Empty;

    public string Status { get; init; } = string.Empty;

    public string Kind { get; init; } = string.Empty;

    public string Severity { get; init; } = string.Empty;

    public int Attempts { get; init; }

    /// <summary>Why it was not delivered (the last error, the suppression reason), empty once delivered.</summary>
    public string Message { get; init; } = string.Empty;

    public DateTime Timestamp { get; init; }

    public bool IsDelivered => Status == nameof(NotificationDeliveryStatus.Delivered);

    internal static NotificationDeliveryResult Of(
        NotificationEvent notification, NotificationChannelDefinition channel, NotificationDeliveryStatus status, int attempts, string message, DateTime now) => new()
    {
        EventId = notification.Id,
        Channel = channel.Name,
        ChannelType = channel.Type,
        Status = status.ToString(),
        Kind = notification.Kind.ToString(),
        Severity = notification.Severity.ToString(),
        Attempts = attempts,
        Message = message,
        Timestamp = now,
    };
}
