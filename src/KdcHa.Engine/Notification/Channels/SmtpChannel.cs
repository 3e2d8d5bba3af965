using System;
using System.Linq;
using System.Net.Sockets;
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
            var hello = "EHLO " + notification.Host;
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
