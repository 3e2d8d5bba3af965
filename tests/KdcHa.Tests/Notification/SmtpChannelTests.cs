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

    [Theory]
    [InlineData("from", "kdcha@example.com\r\nBcc: x@example.invalid", "contains a line break")]
    [InlineData("to", "oncall@example.com\r\nBcc: x@example.invalid", "contains a line break")]
    [InlineData("to", "oncall@example.com\nBcc: x@example.invalid", "contains a line break")]
    [InlineData("from", "kdcha@example.com\0", "NUL")]
    [InlineData("from", "KdcHa <kdcha@example.com>", "not a bare address")]
    [InlineData("to", "on call@example.com", "not a bare address")]
    [InlineData("to", "oncall@exämple.com", "not ASCII")]
    [InlineData("to", "oncall@[300.1.1.1]", "address literal")]
    [InlineData("to", "oncall@-example.com", "not an RFC 5321 mailbox")]
    public void AnAddressThatIsNotAPlainMailboxIsRefusedWhenTheChannelIsDefined(string field, string address, string problem)
    {
        var definition = MailDefinition(port: 25);
        if (field == "from")
        {
            definition.From = address;
        }
        else
        {
            definition.To = new[] { "backup@example.com", address };
        }

        var failure = Assert.Throws<NotificationConfigurationException>(definition.Validate);

        Assert.Contains($"Channel 'mail': {field} address '", failure.Message);
        Assert.Contains(problem, failure.Message);
        Assert.DoesNotContain("\n", failure.Message);
        Assert.DoesNotContain("\r", failure.Message);
    }

    [Theory]
    [InlineData("kdcha@example.com")]
    [InlineData("first.last+alerts@mail.example.com")]
    [InlineData("\"on call\"@example.com")]
    [InlineData("oncall@[127.0.0.1]")]
    [InlineData("oncall@[IPv6:::1]")]
    [InlineData("oncall@xn--exmple-cua.com")]
    public void PlainMailboxesAreAccepted(string address)
    {
        var definition = MailDefinition(port: 25);
        definition.From = address;
        definition.To = new[] { address };

        definition.Validate();
    }

    [LabFact("aiosmtpd", "openssl")]
    public async Task AnAddressChangedAfterValidationIsRefusedAtSendTimeAndNothingIsSent()
    {
        using var sink = new SmtpSink("starttls");
        var channel = Channel(sink, "StartTls");
        channel.Definition.To = new[] { "oncall@example.com\r\nBcc: x@example.invalid" };

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => channel.SendAsync(Events.Custom("x"), CancellationToken.None));

        Assert.True(failure.IsPermanent);
        Assert.Contains("contains a line break", failure.Message);
        Assert.Empty(sink.Messages());
    }

    [LabFact("aiosmtpd", "openssl")]
    public async Task EventTextWithLineBreaksAndNonAsciiArrivesAsOneHeaderEach()
    {
        using var sink = new SmtpSink("starttls");
        var title = "VI_1 übernimmt\r\nBcc: x@example.invalid\r\n\r\n.\r\n" + new string('ü', 400);
        var notification = Events.StateChange() with { Title = title, Id = "evt\r\nBcc: y@example.invalid", Host = "kdc1\r\nRSET" };

        await Channel(sink, "StartTls").SendAsync(notification, CancellationToken.None);

        var message = Assert.Single(sink.Messages());
        var headers = Regex.Split(message.Substring(0, message.IndexOf("\n\n", StringComparison.Ordinal)), "\r?\n(?![ \t])");
        Assert.DoesNotContain(headers, header => header.StartsWith("Bcc", StringComparison.OrdinalIgnoreCase));
        Assert.All(headers, header => Assert.All(header.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 78, line)));
        var subject = Assert.Single(headers, header => header.StartsWith("Subject:", StringComparison.Ordinal));
        Assert.Equal("[KdcHa Warning] VI_1 übernimmt Bcc: x@example.invalid . " + new string('ü', 400), DecodeEncodedWords(subject.Substring("Subject:".Length)));
        Assert.Equal("X-KdcHa-Event-Id: evt Bcc: y@example.invalid", Assert.Single(headers, header => header.StartsWith("X-KdcHa-Event-Id:", StringComparison.Ordinal)));
        Assert.Matches("^Message-ID: <[0-9a-f]{32}@example.com>$", Assert.Single(headers, header => header.StartsWith("Message-ID:", StringComparison.Ordinal)));
    }

    private static string DecodeEncodedWords(string folded) =>
        Regex.Replace(folded.Trim(), "=\\?UTF-8\\?B\\?([^?]*)\\?=\\s*", word => Encoding.UTF8.GetString(Convert.FromBase64String(word.Groups[1].Value))).Trim();

    private static string DecodeEncodedWord(string subject)
    {
        var match = Regex.Match(subject, "^=\\?UTF-8\\?B\\?(.*)\\?=$");
        return match.Success ? Encoding.UTF8.GetString(Convert.FromBase64String(match.Groups[1].Value)) : subject;
    }

    private static NotificationChannelDefinition MailDefinition(int port, string security = "StartTls") => new()
    {
        Name = "mail",
        Type = "Email",
        Server = "127.0.0.1",
        Port = port,
        Security = security,
        From = "kdcha@example.com",
        To = new[] { "oncall@example.com", "backup@example.com" },
        UserName = SmtpSink.UserName,
        Password = "env:SMTP_PASSWORD",
    };

    private SmtpChannel Channel(SmtpSink sink, string security, string password = SmtpSink.Password, bool pin = true)
    {
        var definition = MailDefinition(sink.Port, security);
        definition.CertificateSha256 = pin ? sink.CertificateSha256 : null;
        definition.Validate();
        var variables = new Dictionary<string, string> { ["SMTP_PASSWORD"] = password };
        return new SmtpChannel(definition, new SecretReferenceResolver(_redactor, environment: name => variables.GetValueOrDefault(name)));
    }
}
