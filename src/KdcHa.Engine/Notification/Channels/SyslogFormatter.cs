using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace KdcHa.Notification.Channels;

/// <summary>
/// RFC 5424 for the network, and the BSD form glibc's syslog(3) writes for the local socket, because journald and
/// rsyslog's imuxsock parse /dev/log input as the latter and would file an RFC 5424 line under a wrong tag.
/// </summary>
public static class SyslogFormatter
{
    public const int DefaultFacility = 3; // daemon

    // Structured-data ID: name@<IANA private enterprise number>; 32473 is the number RFC 5612 reserves for examples.
    public const string StructuredDataId = "kdcha@32473";

    private const string Nil = "-";
    private static readonly byte[] Utf8Bom = { 0xEF, 0xBB, 0xBF };

    public static int Priority(int facility, NotificationSeverity severity) => facility * 8 + severity switch
    {
        NotificationSeverity.Critical => 2, // crit
        NotificationSeverity.Warning => 4, // warning
        _ => 6, // info
    };

    public static byte[] Rfc5424(NotificationEvent notification, int facility, string appName)
    {
        var header = new StringBuilder();
        header.Append('<').Append(Priority(facility, notification.Severity).ToString(CultureInfo.InvariantCulture)).Append(">1 ");
        header.Append(notification.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append(' ');
        header.Append(HeaderField(notification.Host, 255)).Append(' ');
        header.Append(HeaderField(appName, 48)).Append(' ');
        header.Append(CurrentProcessId).Append(' ');
        header.Append(HeaderField(notification.Kind.ToString(), 32)).Append(' ');
        header.Append(StructuredData(notification)).Append(' ');
        var head = Encoding.UTF8.GetBytes(header.ToString());
        var message = Encoding.UTF8.GetBytes(notification.Message);
        return head.Concat(Utf8Bom).Concat(message).ToArray();
    }

    public static byte[] Local(NotificationEvent notification, int facility, string appName)
    {
        // RFC 3164 TIMESTAMP "Mmm dd hh:mm:ss" pads a one-digit day with a space, not a zero.
        var time = notification.Time;
        var stamp = time.ToString("MMM", CultureInfo.InvariantCulture) + " " + time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + " " +
            time.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var line = $"<{Priority(facility, notification.Severity)}>{stamp} {appName}[{CurrentProcessId}]: " +
            $"{notification.DisplayTitle}: {notification.Message} [id={notification.Id}]";
        return Encoding.UTF8.GetBytes(line);
    }

    private static string CurrentProcessId { get; } = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    private static string StructuredData(NotificationEvent notification)
    {
        var data = new StringBuilder("[").Append(StructuredDataId);
        Param(data, "id", notification.Id);
        Param(data, "severity", notification.Severity.ToString());
        Param(data, "source", notification.Source);
        Param(data, "instance", notification.Instance);
        Param(data, "oldState", notification.OldState);
        Param(data, "newState", notification.NewState);
        return data.Append(']').ToString();
    }

    private static void Param(StringBuilder data, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        data.Append(' ').Append(name).Append("=\"");
        foreach (var c in value)
        {
            // RFC 5424 §6.3.3: '"', '\' and ']' are escaped inside PARAM-VALUE.
            if (c is '"' or '\\' or ']')
            {
                data.Append('\\');
            }

            data.Append(c);
        }

        data.Append('"');
    }

    /// <summary>Header fields are PRINTUSASCII without spaces; anything else becomes '_' and empty becomes NILVALUE.</summary>
    private static string HeaderField(string value, int maxLength)
    {
        var field = new StringBuilder(Math.Min(value.Length, maxLength));
        foreach (var c in value.Take(maxLength))
        {
            field.Append(c is > ' ' and < (char)127 ? c : '_');
        }

        return field.Length == 0 ? Nil : field.ToString();
    }
}
