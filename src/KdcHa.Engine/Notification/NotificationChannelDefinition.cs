using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification.Channels;

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

/// <summary>
/// One channel as the configuration file and New-KdcHaNotificationChannel describe it. Secret-bearing fields
/// (<see cref="Url"/>, <see cref="SigningSecret"/>, <see cref="Password"/>, header values) hold references such as
/// env:NAME, never the secret, so this object can be shown, serialised and written to disk without leaking.
/// Enumerated settings are strings (parsed, case-insensitively, by <see cref="Validate"/>) so ConvertTo-Json and
/// hand-written files show names, not numbers.
/// </summary>
public sealed class NotificationChannelDefinition
{
    private const int MaxRecipients = 100;

    private static readonly Regex ValidName = new("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant);

    public string Name { get; set; } = string.Empty;

    public string Type { get; set; } = string.Empty;

    public string MinimumSeverity { get; set; } = nameof(NotificationSeverity.Info);

    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>The webhook address: a secret reference, since vendor webhook URLs carry the token.</summary>
    public string? Url { get; set; }

    public string? SigningSecret { get; set; }

    public Dictionary<string, string>? Headers { get; set; }

    public string? Format { get; set; }

    public string? Server { get; set; }

    public int? Port { get; set; }

    public string? Security { get; set; }

    public string? From { get; set; }

    public string[]? To { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>SHA-256 of the SMTP server certificate, for a server whose certificate no system CA vouches for.</summary>
    public string? CertificateSha256 { get; set; }

    public string? Transport { get; set; }

    public string? SocketPath { get; set; }

    public int? Facility { get; set; }

    public string? AppName { get; set; }

    public string? Path { get; set; }

    public string[]? Arguments { get; set; }

    internal NotificationChannelType ChannelType => Parse<NotificationChannelType>(Type, "type");

    internal NotificationSeverity Threshold => Parse<NotificationSeverity>(MinimumSeverity, "minimumSeverity");

    internal MessageFormat MessageFormat => Format is null ? MessageFormat.Markdown : Parse<MessageFormat>(Format, "format");

    internal SmtpSecurity SmtpSecurity => Security is null ? SmtpSecurity.StartTls : Parse<SmtpSecurity>(Security, "security");

    internal SyslogTransport SyslogTransport => Transport is null ? SyslogTransport.Udp : Parse<SyslogTransport>(Transport, "transport");

    /// <summary>Whether a notification of this severity is meant for this channel.</summary>
    public bool Accepts(NotificationSeverity severity) => severity >= Threshold;

    internal bool IsHttp => ChannelType is NotificationChannelType.Webhook or NotificationChannelType.Slack or NotificationChannelType.Teams
        or NotificationChannelType.DingTalk or NotificationChannelType.WeCom or NotificationChannelType.Feishu;

    /// <summary>Every secret reference the channel needs at send time, for resolving vault references up front.</summary>
    public IEnumerable<string> SecretReferences()
    {
        var references = new[] { Url, SigningSecret, Password }.Concat(Headers?.Values ?? Enumerable.Empty<string>());
        return references.Where(value => value is not null && SecretReference.IsReference(value)).Select(value => value!);
    }

    /// <summary>Throws <see cref="NotificationConfigurationException"/> naming the channel and the field at fault.</summary>
    public void Validate()
    {
        if (!ValidName.IsMatch(Name ?? string.Empty))
        {
            throw Invalid("name", "must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit (it names the spool directory)");
        }

        _ = (ChannelType, Threshold, MessageFormat, SmtpSecurity, SyslogTransport);
        if (TimeoutSeconds is < 1 or > 600)
        {
            throw Invalid("timeoutSeconds", "must be between 1 and 600");
        }

        if (IsHttp)
        {
            RequireReference("url", Url);
            if (SigningSecret is not null)
            {
                RequireReference("signingSecret", SigningSecret);
            }

            return;
        }

        switch (ChannelType)
        {
            case NotificationChannelType.Email:
                Require("server", Server);
                Require("from", From);
                if (To is null || To.Length == 0 || To.Any(string.IsNullOrWhiteSpace))
                {
                    throw Invalid("to", "needs at least one recipient address");
                }

                ValidateMailboxes();

                if ((UserName is null) != (Password is null))
                {
                    throw Invalid("password", "and userName go together: give both for SMTP AUTH, or neither");
                }

                if (Password is not null)
                {
                    RequireReference("password", Password);
                }

                RequirePort();
                break;
            case NotificationChannelType.Syslog:
                if (SyslogTransport == SyslogTransport.Unix)
                {
                    Require("socketPath", SocketPath);
                }
                else
                {
                    Require("server", Server);
                    RequirePort();
                }

                if (Facility is < 0 or > 23)
                {
                    throw Invalid("facility", "must be a syslog facility number 0-23 (3 = daemon, 16-23 = local0-local7)");
                }

                break;
            case NotificationChannelType.Command:
                Require("path", Path);
                if (!System.IO.Path.IsPathRooted(Path!))
                {
                    throw Invalid("path", "must be an absolute path: the command runs without a shell or a search path");
                }

                break;
        }
    }

    /// <summary>
    /// Throws <see cref="NotificationConfigurationException"/> unless From and every To are plain ASCII RFC 5321
    /// mailboxes: they go into MAIL FROM, RCPT TO and the From and To headers, where a line break would inject.
    /// </summary>
    internal void ValidateMailboxes()
    {
        RequireMailbox("from", From);
        if (To is { Length: > MaxRecipients })
        {
            throw Invalid("to", $"has {To.Length} recipients; at most {MaxRecipients}, the number every SMTP server must accept (RFC 5321 §4.5.3.1.8)");
        }

        foreach (var recipient in To ?? Array.Empty<string>())
        {
            RequireMailbox("to", recipient);
        }
    }

    private void RequireMailbox(string field, string? address)
    {
        if (SmtpMailbox.Problem(address) is { } problem)
        {
            throw Invalid(field, $"address {SmtpMailbox.Quote(address)} {problem}");
        }
    }

    private T Parse<T>(string value, string field)
        where T : struct
    {
        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(typeof(T), parsed))
        {
            return parsed;
        }

        throw Invalid(field, $"'{value}' is not one of {string.Join(", ", Enum.GetNames(typeof(T)))}");
    }

    private void RequirePort()
    {
        if (Port is < 1 or > 65535)
        {
            throw Invalid("port", "must be between 1 and 65535");
        }
    }

    private void Require(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(field, $"is required for a {Type} channel");
        }
    }

    private void RequireReference(string field, string? value)
    {
        Require(field, value);
        if (!SecretReference.IsReference(value!))
        {
            throw Invalid(field, $"must be a secret reference ({SecretReference.Forms}), not the secret itself, so that no configuration file, object or log holds it");
        }
    }

    private NotificationConfigurationException Invalid(string field, string problem) =>
        new($"Channel '{Name}': {field} {problem}.");
}

public enum NotificationChannelType
{
    Webhook,
    Slack,
    Teams,
    DingTalk,
    WeCom,
    Feishu,
    Email,
    Syslog,
    Command,
}

/// <summary>How the DingTalk and WeCom robots render the text: both accept a markdown subset or plain text.</summary>
public enum MessageFormat
{
    Markdown,
    Text,
}

public enum SmtpSecurity
{
    /// <summary>STARTTLS on the submission port; the server must offer it, or nothing is sent.</summary>
    StartTls,

    /// <summary>Implicit TLS from the first byte (SMTPS, port 465).</summary>
    Tls,

    /// <summary>Plain text: only for a relay on the same host or a lab.</summary>
    None,
}

public enum SyslogTransport
{
    Udp,

    /// <summary>RFC 6587 octet counting: "LENGTH SP MESSAGE".</summary>
    Tcp,

    /// <summary>A local datagram socket such as /dev/log (journald, rsyslog imuxsock).</summary>
    Unix,
}
