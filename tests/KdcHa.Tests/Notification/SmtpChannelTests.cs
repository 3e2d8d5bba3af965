using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification;
using KdcHa.Notification.Channels;

namespace KdcHa.Tests.Notification;

/// <summary>Mail through a real SMTP server (aiosmtpd) on loopback, with TLS and AUTH.</summary>
public sealed class SmtpChannelTests
{
    private readonly SecretRedactor _redactor = new();

    [LabTheory("aiosmtpd", "openssl")]
    [InlineData("starttls", "StartTls")]
    [InlineData("tls", "Tls")]
    public async Task TheServerReceivesTheAlertOverTlsWithAuth(string mode, string security)
    {
        using var sink = new SmtpSink(mode);
        var notification = Events.StateChange() with { Title = "VI_1 übernimmt", Message = "VI_1 is MASTER on kdc1\n.\nthe line above is a lone dot" };

        await Channel(sink, security).SendAsync(notification, CancellationToken.None);

        var message = Assert.Single(sink.Messages());
        Assert.Contains("To: oncall@example.com, backup@example.com", message);
        Assert.Contains($"Message-ID: <{notification.Id}@example.com>", message);
        Assert.Contains($"X-KdcHa-Event-Id: {notification.Id}", message);
        var subject = Regex.Match(message, "^Subject: (.*)$", RegexOptions.Multiline).Groups[1].Value.TrimEnd('\r');
        Assert.Equal("[KdcHa Warning] VI_1 übernimmt", DecodeEncodedWord(subject));
        var body = Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(message.Substring(message.IndexOf("\n\n", StringComparison.Ordinal)).Split('\n', StringSplitOptions.TrimEntries))));
        Assert.Contains("VI_1 is MASTER on kdc1\r\n.\r\nthe line above is a lone dot", body);
    }

    [LabFact("aiosmtpd", "openssl")]
    public async Task AWrongPasswordIsPermanentAndNeverQuotesTheCredential()
    {
        using var sink = new SmtpSink("starttls");

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => Channel(sink, "StartTls", password: "wrong-Pa55word").SendAsync(Events.Custom("x"), CancellationToken.None));

        Assert.True(failure.IsPermanent);
        Assert.StartsWith("AUTH", failure.Message);
        Assert.DoesNotContain("wrong-Pa55word", failure.Message);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alerts\0wrong-Pa55word")), failure.Message);
        Assert.Empty(sink.Messages());
    }

    [LabFact("aiosmtpd", "openssl")]
    public async Task AnUnpinnedSelfSignedCertificateIsRefused()
    {
        using var sink = new SmtpSink("starttls");

        await Assert.ThrowsAsync<NotificationDeliveryException>(() => Channel(sink, "StartTls", pin: false).SendAsync(Events.Custom("x"), CancellationToken.None));

        Assert.Empty(sink.Messages());
    }

    private static string DecodeEncodedWord(string subject)
    {
        var match = Regex.Match(subject, "^=\\?UTF-8\\?B\\?(.*)\\?=$");
        return match.Success ? Encoding.UTF8.GetString(Convert.FromBase64String(match.Groups[1].Value)) : subject;
    }

    private SmtpChannel Channel(SmtpSink sink, string security, string password = SmtpSink.Password, bool pin = true)
    {
        var definition = new NotificationChannelDefinition
        {
            Name = "mail",
            Type = "Email",
            Server = "127.0.0.1",
            Port = sink.Port,
            Security = security,
            From = "kdcha@example.com",
            To = new[] { "oncall@example.com", "backup@example.com" },
            UserName = SmtpSink.UserName,
            Password = "env:SMTP_PASSWORD",
            CertificateSha256 = pin ? sink.CertificateSha256 : null,
        };
        definition.Validate();
        var variables = new Dictionary<string, string> { ["SMTP_PASSWORD"] = password };
        return new SmtpChannel(definition, new SecretReferenceResolver(_redactor, environment: name => variables.GetValueOrDefault(name)));
    }
}
