using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace KdcHa.Notification.Channels;

/// <summary>
/// What may stand between the angle brackets of MAIL FROM and RCPT TO, and therefore in the From and To headers: an
/// RFC 5321 Mailbox in ASCII (a dot-string or quoted local part, then a host name or an IPv4 or IPv6 address literal).
/// <see cref="MailAddress"/> is the first check, but it also takes display names ("a b@c.d" is "b@c.d" named "a"),
/// comments and non-ASCII, none of which an SMTP command may carry, so the RFC 5321 grammar decides. Non-ASCII is
/// refused rather than sent with SMTPUTF8 (RFC 6531): the client does not negotiate that extension, alert mailboxes
/// are ASCII in practice, and an internationalised domain can be written in its xn-- form.
/// </summary>
public static class SmtpMailbox
{
    // RFC 5321 §4.5.3.1: local part 64 octets, domain 255, a path 256 including its angle brackets.
    private const int MaxLocalPartLength = 64;
    private const int MaxDomainLength = 255;
    private const int MaxAddressLength = 254;
    private const int QuotedLength = 100;

    private const string SubDomain = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
    private const string DomainPattern = SubDomain + @"(?:\." + SubDomain + ")*";
    private const string Atom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";

    private static readonly Regex Grammar = new(
        @"\A(?<local>" + Atom + @"(?:\." + Atom + @")*|""(?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\[\x20-\x7E])*"")@(?:(?<domain>" + DomainPattern + @")|\[(?<literal>[\x21-\x5A\x5E-\x7E]+)\])\z",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);

    private static readonly Regex Domain = new(@"\A" + DomainPattern + @"\z", RegexOptions.CultureInvariant);

    /// <summary>Why <paramref name="address"/> cannot go into an SMTP command and a mail header, or null when it can.</summary>
    public static string? Problem(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return "is empty";
        }

        if (address.Any(c => c is '\r' or '\n' or '\0'))
        {
            return "contains a line break or NUL, which would end the SMTP command and start a new mail header";
        }

        if (address.Any(char.IsControl))
        {
            return "contains a control character";
        }

        if (address.Any(c => c > '~'))
        {
            return "is not ASCII: KdcHa does not use SMTPUTF8, so write an internationalised domain in its xn-- form";
        }

        if (!MailAddress.TryCreate(address, out var parsed) || parsed.Address != address || parsed.DisplayName.Length != 0)
        {
            return "is not a bare address such as alerts@example.com (no display name, comment or angle brackets)";
        }

        var match = Grammar.Match(address);
        if (!match.Success)
        {
            return "is not an RFC 5321 mailbox (local-part@host)";
        }

        if (address.Length > MaxAddressLength || match.Groups["local"].Length > MaxLocalPartLength || match.Groups["domain"].Length > MaxDomainLength)
        {
            return $"is too long for SMTP (at most {MaxLocalPartLength} characters before the @ and {MaxAddressLength} in all)";
        }

        var literal = match.Groups["literal"];
        return literal.Success && !IsAddressLiteral(literal.Value) ? "has an address literal that is neither [IPv4] nor [IPv6:address]" : null;
    }

    /// <summary>An RFC 5321 Domain: what EHLO and the Message-ID take as a host name.</summary>
    public static bool IsDomain(string name) => name.Length <= MaxDomainLength && Domain.IsMatch(name);

    /// <summary>The EHLO argument for a host without a usable name: its address as an RFC 5321 address literal.</summary>
    public static string AddressLiteral(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[IPv6:{address}]" : $"[{address}]";
    }

    /// <summary>An address for an error message: line breaks and control characters shown escaped, and clipped.</summary>
    public static string Quote(string? address)
    {
        var text = address ?? string.Empty;
        var quoted = new StringBuilder();
        foreach (var c in text.Take(QuotedLength))
        {
            quoted.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return "'" + quoted + (text.Length > QuotedLength ? "...'" : "'");
    }

    private static bool IsAddressLiteral(string literal)
    {
        const string IPv6Tag = "IPv6:";
        return literal.StartsWith(IPv6Tag, StringComparison.Ordinal)
            ? IPAddress.TryParse(literal.Substring(IPv6Tag.Length), out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
            : IPAddress.TryParse(literal, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && v4.ToString() == literal;
    }
}

/// <summary>
/// An RFC 5322 message for one notification. Addresses are checked mailboxes (<see cref="SmtpMailbox"/>); header
/// values made from event text (the subject, the event id) lose their line breaks and control characters and become
/// RFC 2047 encoded words, folded, when they are not short printable ASCII; the body is base64, whose lines never
/// start with '.'. So no field of an event can start a header, end the header block, or end DATA early.
/// </summary>
internal static class MailMessageWriter
{
    private const int Base64LineLength = 76;

    // RFC 5322 §2.1.1: a line has at most 998 characters and should have at most 78.
    private const int MaxLineLength = 998;
    private const int FoldLength = 78;

    // 39 bytes are 52 base64 characters, so "=?UTF-8?B?...?=" is 64, within RFC 2047's 75 for an encoded word.
    private const int EncodedWordBytes = 39;

    private static readonly Regex DotAtomText = new(@"\A[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\z", RegexOptions.CultureInvariant);

    /// <summary>The subject as one line: runs of line breaks and control characters in the title become one space.</summary>
    public static string Subject(NotificationEvent notification) => SingleLine($"[KdcHa {notification.Severity}] {notification.DisplayTitle}");

    public static byte[] Write(NotificationEvent notification, string from, string[] to)
    {
        var message = new StringBuilder();
        Header(message, "Date", notification.Time.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
        Header(message, "From", from);
        Header(message, "To", AddressList("To", to));
        Unstructured(message, "Subject", Subject(notification));
        Header(message, "Message-ID", $"<{MessageIdLeft(notification.Id)}@{DomainOf(from)}>");
        Unstructured(message, "X-KdcHa-Event-Id", SingleLine(notification.Id));
        Header(message, "X-KdcHa-Severity", notification.Severity.ToString());
        Header(message, "MIME-Version", "1.0");
        Header(message, "Content-Type", "text/plain; charset=utf-8");
        Header(message, "Content-Transfer-Encoding", "base64");
        message.Append("\r\n");

        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes(NotificationText.Plain(notification).Replace("\n", "\r\n")));
        for (var start = 0; start < body.Length; start += Base64LineLength)
        {
            message.Append(body, start, Math.Min(Base64LineLength, body.Length - start)).Append("\r\n");
        }

        message.Append(".\r\n");
        return Encoding.UTF8.GetBytes(message.ToString());
    }

    private static void Header(StringBuilder message, string name, string value) =>
        message.Append(name).Append(": ").Append(value).Append("\r\n");

    private static void Unstructured(StringBuilder message, string name, string text)
    {
        var plain = text.All(c => c is >= ' ' and <= '~') && name.Length + 2 + text.Length <= MaxLineLength;
        Header(message, name, plain ? text : EncodedWords(text));
    }

    private static string SingleLine(string text) =>
        Regex.Replace(text, @"[\p{Cc}\u2028\u2029]+", " ", RegexOptions.CultureInvariant);

    // Each word holds whole characters (RFC 2047 §5); readers drop the folding white space between encoded words.
    private static string EncodedWords(string text)
    {
        var words = new StringBuilder();
        var chunk = new byte[EncodedWordBytes];
        var length = 0;
        Span<byte> rune = stackalloc byte[4];
        foreach (var character in text.EnumerateRunes())
        {
            var size = character.EncodeToUtf8(rune);
            if (length + size > EncodedWordBytes)
            {
                AppendWord(words, chunk, length);
                length = 0;
            }

            rune.Slice(0, size).CopyTo(chunk.AsSpan(length));
            length += size;
        }

        AppendWord(words, chunk, length);
        return words.ToString();
    }

    private static void AppendWord(StringBuilder words, byte[] chunk, int length)
    {
        if (length == 0 && words.Length > 0)
        {
            return;
        }

        words.Append(words.Length == 0 ? string.Empty : "\r\n ").Append("=?UTF-8?B?").Append(Convert.ToBase64String(chunk, 0, length)).Append("?=");
    }

    private static string AddressList(string name, string[] addresses)
    {
        var list = new StringBuilder();
        var lineLength = name.Length + 2;
        foreach (var address in addresses)
        {
            if (list.Length > 0)
            {
                var fold = lineLength + 2 + address.Length > FoldLength;
                list.Append(fold ? ",\r\n " : ", ");
                lineLength = fold ? 1 : lineLength + 2;
            }

            list.Append(address);
            lineLength += address.Length;
        }

        return list.ToString();
    }

    // A receiver drops repeats by Message-ID, so an event id that is not a dot-atom still maps to one stable value.
    private static string MessageIdLeft(string eventId) =>
        DotAtomText.IsMatch(eventId) && eventId.Length <= 64 ? eventId : HmacSignature.Hex(SHA256.HashData(Encoding.UTF8.GetBytes(eventId)))[..32];

    private static string DomainOf(string address) => address.Substring(address.LastIndexOf('@') + 1);
}
