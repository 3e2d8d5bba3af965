using System;

namespace KdcHa.Notification;

/// <summary>
/// The outcome of one direct test send to a channel. Like <see cref="NotificationDeliveryResult"/> it holds only
/// strings, numbers, Booleans and UTC times, so it passes through ConvertTo-Json unchanged.
/// </summary>
public sealed class NotificationChannelTestResult
{
    public string Channel { get; init; } = string.Empty;

    public string ChannelType { get; init; } = string.Empty;

    public bool Success { get; init; }

    /// <summary>The channel's answer: "HTTP 200", the SMTP reply, "exit code 0"; empty when none came.</summary>
    public string Reply { get; init; } = string.Empty;

    public long RoundTripMs { get; init; }

    public string EventId { get; init; } = string.Empty;

    /// <summary>Why the test failed, with every resolved secret masked; empty on success.</summary>
    public string Message { get; init; } = string.Empty;

    public DateTime Timestamp { get; init; }
}
