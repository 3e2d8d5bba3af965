using System;
using System.Collections.Generic;

namespace KdcHa.Notification;

public enum NotificationDeliveryStatus
{
    /// <summary>The channel accepted it and the spool file is gone.</summary>
    Delivered,

    /// <summary>Still in the spool when the caller stopped waiting; the next dispatcher on the spool sends it.</summary>
    Pending,

    /// <summary>Refused for good (a 4xx reply, a bad signature, a missing program) and moved to the spool's rejected folder.</summary>
    Rejected,

    /// <summary>Dropped, oldest first, because the channel's spool was full; a SpoolOverflow alert reports it.</summary>
    Evicted,

    /// <summary>Held back as a duplicate or as part of a flap; the flap summary stands for it.</summary>
    Suppressed,
}

/// <summary>
/// What became of one notification on one channel. The engine works with the typed values; the public properties
/// are their names and times UTC, so the object passes through ConvertTo-Json unchanged for scripts and Ansible.
/// </summary>
public sealed class NotificationDeliveryResult
{
    public string EventId { get; init; } = string.Empty;

    public string Channel { get; init; } = string.Empty;

    public string ChannelType => Type.ToString();

    public string Status => DeliveryStatus.ToString();

    /// <summary>The notification's kind; empty for an evicted one, whose event was not read back.</summary>
    public string Kind => EventKind?.ToString() ?? string.Empty;

    public string Severity => EventSeverity?.ToString() ?? string.Empty;

    public int Attempts { get; init; }

    /// <summary>Why it was not delivered (the last error, the suppression reason), empty once delivered.</summary>
    public string Message { get; init; } = string.Empty;

    public DateTime Timestamp { get; init; }

    public bool IsDelivered => DeliveryStatus == NotificationDeliveryStatus.Delivered;

    internal NotificationChannelType Type { get; init; }

    internal NotificationDeliveryStatus DeliveryStatus { get; init; }

    internal NotificationKind? EventKind { get; init; }

    internal NotificationSeverity? EventSeverity { get; init; }

    internal static NotificationDeliveryResult Of(
        NotificationEvent notification, NotificationChannelDefinition channel, NotificationDeliveryStatus status, int attempts, string message, DateTime now) => new()
    {
        EventId = notification.Id,
        Channel = channel.Name,
        Type = channel.ChannelType,
        DeliveryStatus = status,
        EventKind = notification.Kind,
        EventSeverity = notification.Severity,
        Attempts = attempts,
        Message = message,
        Timestamp = now,
    };
}

/// <summary>What a delivery run left undone, for the caller to report as errors: refusals and notifications still spooled.</summary>
public sealed record NotificationDeliveryReport(IReadOnlyList<NotificationDeliveryResult> Rejected, IReadOnlyList<NotificationDeliveryResult> Pending);
