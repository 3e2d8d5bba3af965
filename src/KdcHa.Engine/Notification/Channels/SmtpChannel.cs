using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification.Channels;

/// <summary>Mail through a submission server; the password is resolved per delivery and never leaves the AUTH line.</summary>
public sealed class SmtpChannel : INotificationChannel
{
    private readonly ISecretResolver _secrets;

    public SmtpChannel(NotificationChannelDefinition definition, ISecretResolver secrets)
    {
        Definition = definition;
        _secrets = secrets;
    }

    public NotificationChannelDefinition Definition { get; }

    private SmtpSecurity Security => Definition.SmtpSecurity;

    private int Port => Definition.Port ?? Security switch
    {
        SmtpSecurity.Tls => 465,
        SmtpSecurity.StartTls => 587,
        _ => 25,
    };

    public async Task<string> SendAsync(NotificationEvent notification, CancellationToken cancellationToken)
    {
        // Checked when the channel was defined or loaded, and again here: the definition is a settable object, and
        // whatever reaches MAIL FROM, RCPT TO, From and To must be a mailbox, never a line break.
        try
        {
            Definition.ValidateMailboxes();
        }
        catch (NotificationConfigurationException e)
        {
            throw new NotificationDeliveryException(e.Message + " Nothing was sent.", isPermanent: true, e);
        }

        var password = Definition.Password is null ? null : _secrets.Resolve(Definition.Password);
        var server = Definition.Server!;
        try
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(server, Port, cancellationToken).ConfigureAwait(false);
            await using var smtp = new SmtpDialog(client.GetStream(), cancellationToken);
            if (Security == SmtpSecurity.Tls)
            {
                await smtp.StartTlsAsync(server, Definition.CertificateSha256).ConfigureAwait(false);
            }

            await smtp.ExpectAsync(220).ConfigureAwait(false);
            var hello = "EHLO " + HelloName(notification.Host, client);
            var extensions = await smtp.CommandAsync(hello, 250).ConfigureAwait(false);
            if (Security == SmtpSecurity.StartTls)
            {
                if (!Offers(extensions, "STARTTLS"))
                {
                    throw new NotificationDeliveryException($"The SMTP server {server}:{Port} does not offer STARTTLS; refusing to send credentials and alerts in clear text.", isPermanent: true);
                }

                await smtp.CommandAsync("STARTTLS", 220).ConfigureAwait(false);
                await smtp.StartTlsAsync(server, Definition.CertificateSha256).ConfigureAwait(false);
                extensions = await smtp.CommandAsync(hello, 250).ConfigureAwait(false);
            }

            if (password is not null)
            {
                await AuthenticateAsync(smtp, extensions, Definition.UserName!, password).ConfigureAwait(false);
            }

            await smtp.CommandAsync($"MAIL FROM:<{Definition.From}>", 250).ConfigureAwait(false);
            foreach (var recipient in Definition.To!)
            {
                await smtp.CommandAsync($"RCPT TO:<{recipient}>", 250, 251).ConfigureAwait(false);
            }

            await smtp.CommandAsync("DATA", 354).ConfigureAwait(false);
            await smtp.WriteAsync(MailMessageWriter.Write(notification, Definition.From!, Definition.To!)).ConfigureAwait(false);
            var accepted = await smtp.ExpectAsync(250).ConfigureAwait(false);

            // The message is accepted at this point; a server that drops the connection on QUIT changes nothing.
            try
            {
                await smtp.CommandAsync("QUIT", 221).ConfigureAwait(false);
            }
            catch (NotificationDeliveryException)
            {
            }

            return accepted.ToString();
        }
        catch (Exception e) when (e is System.IO.IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            throw new NotificationDeliveryException($"SMTP to {server}:{Port} ({Security}) failed: {e.Message}", isPermanent: false, e);
        }
    }

    public string Preview(NotificationEvent notification)
    {
        var auth = Definition.UserName is null ? "no AUTH" : $"AUTH as {Definition.UserName} with {Definition.Password}";
        var header = $"SMTP {Definition.Server}:{Port} ({Security}, {auth})\nFrom: {Definition.From}\nTo: {string.Join(", ", Definition.To ?? Array.Empty<string>())}\n" +
            $"Subject: {MailMessageWriter.Subject(notification)}\n\n";
        return header + NotificationText.Plain(notification);
    }

    // RFC 5321 §4.1.4: EHLO names the client's domain, else its address literal; an event's host may be neither.
    private static string HelloName(string host, TcpClient client) =>
        SmtpMailbox.IsDomain(host) ? host : SmtpMailbox.AddressLiteral(((IPEndPoint)client.Client.LocalEndPoint!).Address);

    private static bool Offers(SmtpReply extensions, string keyword) =>
        extensions.Lines.Any(line => line.Equals(keyword, StringComparison.OrdinalIgnoreCase) || line.StartsWith(keyword + " ", StringComparison.OrdinalIgnoreCase));

    private static async Task AuthenticateAsync(SmtpDialog smtp, SmtpReply extensions, string userName, string password)
    {
        var mechanisms = extensions.Lines
            .Where(line => line.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase))
            .SelectMany(line => line.Substring(4).TrimStart(' ', '=').Split(' '))
            .ToList();
        if (mechanisms.Contains("PLAIN", StringComparer.OrdinalIgnoreCase))
        {
            await smtp.CommandAsync("AUTH PLAIN " + Base64("\0" + userName + "\0" + password), "AUTH PLAIN", 235).ConfigureAwait(false);
        }
        else if (mechanisms.Contains("LOGIN", StringComparer.OrdinalIgnoreCase))
        {
            await smtp.CommandAsync("AUTH LOGIN", 334).ConfigureAwait(false);
            await smtp.CommandAsync(Base64(userName), "AUTH LOGIN user name", 334).ConfigureAwait(false);
            await smtp.CommandAsync(Base64(password), "AUTH LOGIN password", 235).ConfigureAwait(false);
        }
        else
        {
            throw new NotificationDeliveryException($"The SMTP server offers no AUTH PLAIN or LOGIN (it offers: {string.Join(" ", mechanisms)}).", isPermanent: true);
        }
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}

/// <summary>
/// The client half of RFC 5321 that an alert needs: EHLO, STARTTLS (RFC 3207), AUTH PLAIN or LOGIN (RFC 4954),
/// MAIL, RCPT, DATA. A 4xx reply is worth retrying; a 5xx reply will not change and fails permanently.
/// </summary>
internal sealed class SmtpDialog : IAsyncDisposable
{
    // RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; servers send longer ones, but not this much longer.
    private const int MaxLineBytes = 8192;

    // A whole multi-line reply: an EHLO reply lists a few dozen extensions, a hostile server could list them forever.
    private const int MaxReplyBytes = 64 * 1024;

    private readonly byte[] _buffer = new byte[4096];
    private readonly CancellationToken _cancellationToken;
    private Stream _stream;
    private int _buffered;
    private int _position;

    /// <param name="stream">The connected TCP stream; the dialog owns it from here on.</param>
    /// <param name="cancellationToken">Ends every read and write of the dialog; it surfaces as OperationCanceledException.</param>
    public SmtpDialog(Stream stream, CancellationToken cancellationToken)
    {
        _stream = stream;
        _cancellationToken = cancellationToken;
    }

    public async Task StartTlsAsync(string server, string? certificateSha256)
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = server,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusts(certificate, errors, certificateSha256),
        };
        await tls.AuthenticateAsClientAsync(options, _cancellationToken).ConfigureAwait(false);
        _stream = tls;
        _buffered = _position = 0;
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    public async Task<SmtpReply> ExpectAsync(params int[] accepted)
    {
        var reply = await ReadReplyAsync().ConfigureAwait(false);
        if (!accepted.Contains(reply.Code))
        {
            throw new NotificationDeliveryException($"The SMTP server answered {reply}", isPermanent: reply.Code >= 500) { Reply = reply.ToString() };
        }

        return reply;
    }

    public Task<SmtpReply> CommandAsync(string command, params int[] accepted) => CommandAsync(command, command, accepted);

    /// <summary>Sends <paramref name="command"/> but names it <paramref name="shownAs"/> in errors: AUTH lines carry credentials.</summary>
    public async Task<SmtpReply> CommandAsync(string command, string shownAs, params int[] accepted)
    {
        await WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n")).ConfigureAwait(false);
        try
        {
            return await ExpectAsync(accepted).ConfigureAwait(false);
        }
        catch (NotificationDeliveryException e)
        {
            throw new NotificationDeliveryException($"{shownAs}: {e.Message}", e.IsPermanent) { Reply = e.Reply };
        }
    }

    public async Task WriteAsync(byte[] data)
    {
        await _stream.WriteAsync(data, _cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(_cancellationToken).ConfigureAwait(false);
    }

    private async Task<SmtpReply> ReadReplyAsync()
    {
        var lines = new List<string>();
        var replyBytes = 0;
        while (true)
        {
            var line = await ReadLineAsync().ConfigureAwait(false);
            replyBytes += line.Length + 2;
            if (replyBytes > MaxReplyBytes)
            {
                throw new NotificationDeliveryException($"The SMTP server sent a reply of over {MaxReplyBytes} bytes.", isPermanent: false);
            }

            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                throw new NotificationDeliveryException($"The SMTP server sent a malformed reply line: {NotificationDeliveryException.Quote(line)}", isPermanent: false);
            }

            lines.Add(line.Length > 4 ? line.Substring(4) : string.Empty);
            if (line.Length == 3 || line[3] != '-')
            {
                return new SmtpReply(code, lines);
            }
        }
    }

    private async Task<string> ReadLineAsync()
    {
        var line = new List<byte>();
        while (true)
        {
            if (_position == _buffered)
            {
                _buffered = await _stream.ReadAsync(_buffer, _cancellationToken).ConfigureAwait(false);
                _position = 0;
                if (_buffered == 0)
                {
                    throw new NotificationDeliveryException("The SMTP server closed the connection mid-reply.", isPermanent: false);
                }
            }

            var b = _buffer[_position++];
            if (b == (byte)'\n')
            {
                return Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
            }

            if (line.Count == MaxLineBytes)
            {
                throw new NotificationDeliveryException($"The SMTP server sent a reply line over {MaxLineBytes} bytes.", isPermanent: false);
            }

            line.Add(b);
        }
    }

    private static bool Trusts(X509Certificate? certificate, SslPolicyErrors errors, string? certificateSha256)
    {
        if (certificateSha256 is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if (certificate is null)
        {
            return false;
        }

        var actual = HmacSignature.Hex(SHA256.HashData(certificate.GetRawCertData()));
        var expected = certificateSha256.Replace(":", string.Empty).Trim();
        return string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase);
    }
}

/// <param name="Code">The reply code.</param>
/// <param name="Lines">The text after each "250-"/"250 " prefix; EHLO lists one extension per line.</param>
internal sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    public override string ToString() => NotificationDeliveryException.Quote($"{Code} {string.Join(" / ", Lines)}", maxLength: 512);
}
