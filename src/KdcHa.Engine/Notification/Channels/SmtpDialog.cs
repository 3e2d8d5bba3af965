using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification.Channels;

/// <summary>
/// The client half of RFC 5321 that an alert needs: EHLO, STARTTLS (RFC 3207), AUTH PLAIN or LOGIN (RFC 4954),
/// MAIL, RCPT, DATA. A 4xx reply is worth retrying; a 5xx reply will not change and fails permanently.
/// </summary>
internal sealed class SmtpDialog : IAsyncDisposable
{
    // RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; servers send longer ones, but not this much longer.
    private const int MaxLineBytes = 8192;

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
        while (true)
        {
            var line = await ReadLineAsync().ConfigureAwait(false);
            if (line.Length < 3 || !int.TryParse(line.Substring(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                throw new NotificationDeliveryException($"The SMTP server sent a malformed reply line: {line}", isPermanent: false);
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
