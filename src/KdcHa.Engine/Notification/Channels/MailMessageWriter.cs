using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace KdcHa.Notification.Channels;

/// <summary>
/// An RFC 5322 message for one notification. The body is base64 and the subject an RFC 2047 encoded word when it
/// is not plain ASCII, so no field of the event can inject headers, break lines, or end DATA with a lone '.'.
/// </summary>
internal static class MailMessageWriter
{
    private const int Base64LineLength = 76;

    public static string Subject(NotificationEvent notification) => $"[KdcHa {notification.Severity}] {notification.DisplayTitle}";

    public static byte[] Write(NotificationEvent notification, string from, string[] to)
    {
        var message = new StringBuilder();
        Header(message, "Date", notification.Time.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
        Header(message, "From", from);
        Header(message, "To", string.Join(", ", to));
        Header(message, "Subject", EncodedWord(Subject(notification)));
        Header(message, "Message-ID", $"<{notification.Id}@{DomainOf(from)}>");
        Header(message, "X-KdcHa-Event-Id", notification.Id);
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

    private static string EncodedWord(string text) =>
        text.All(c => c is >= ' ' and < (char)127) ? text : "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) + "?=";

    private static string DomainOf(string address) => address.Substring(address.LastIndexOf('@') + 1);
}
