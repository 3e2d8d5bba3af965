using System;
using System.Text.RegularExpressions;
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

/// <summary>
/// A channel did not accept a notification. Permanent failures (a 4xx reply, a bad signature, a missing program)
/// would fail again unchanged, so the dispatcher sets the notification aside instead of blocking the channel.
/// </summary>
public sealed class NotificationDeliveryException : KdcHaException
{
    public NotificationDeliveryException(string message, bool isPermanent)
        : base(message)
    {
        IsPermanent = isPermanent;
    }

    public NotificationDeliveryException(string message, bool isPermanent, Exception innerException)
        : base(message, innerException)
    {
        IsPermanent = isPermanent;
    }

    public bool IsPermanent { get; }

    /// <summary>The channel's own answer when it gave one (HTTP 503, an SMTP reply), for Test-KdcHaNotificationChannel.</summary>
    public string? Reply { get; init; }

    /// <summary>
    /// Text an endpoint sent, as a failure quotes it: one line (runs of control characters, terminal escapes
    /// included, become a space) of at most <paramref name="maxLength"/> characters, so whatever a server answers
    /// reaches logs and error records as a short, harmless excerpt.
    /// </summary>
    internal static string Quote(string reply, int maxLength = 200)
    {
        var line = Regex.Replace(reply.Length <= 4 * maxLength ? reply : reply.Substring(0, 4 * maxLength), @"[\p{Cc}\u2028\u2029]+", " ", RegexOptions.CultureInvariant);
        return line.Length <= maxLength ? line : line.Substring(0, maxLength) + "...";
    }
}

/// <summary>A secret reference that names nothing at send time: an unset variable, a missing file or vault entry.</summary>
public sealed class NotificationSecretException : KdcHaException
{
    public NotificationSecretException(string reference, string message)
        : base(message)
    {
        Reference = reference;
    }

    public string Reference { get; }
}

public sealed class SpoolCorruptException : KdcHaException
{
    public SpoolCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
