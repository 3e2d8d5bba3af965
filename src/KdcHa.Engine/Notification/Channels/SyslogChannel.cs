using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification.Channels;

/// <summary>
/// Syslog over UDP, TCP with RFC 6587 octet counting (a connection per notification, so a receiver restart
/// costs nothing), or a local datagram socket such as /dev/log.
/// </summary>
public sealed class SyslogChannel : INotificationChannel
{
    public const int DefaultPort = 514;
    public const string DefaultAppName = "kdcha";

    // rsyslog's and syslog-ng's default maximum; a datagram over 64 KiB could not be sent at all.
    private const int MaxDatagramBytes = 8192;

    public SyslogChannel(NotificationChannelDefinition definition)
    {
        Definition = definition;
    }

    public NotificationChannelDefinition Definition { get; }

    private SyslogTransport Transport => Definition.SyslogTransport;

    private int Port => Definition.Port ?? DefaultPort;

    public async Task<string> SendAsync(NotificationEvent notification, CancellationToken cancellationToken)
    {
        var message = Format(notification);
        try
        {
            switch (Transport)
            {
                case SyslogTransport.Udp:
                    using (var udp = new UdpClient(AddressFamilyOf(Definition.Server!)))
                    {
                        await udp.SendAsync(ClipDatagram(message), Definition.Server!, Port, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case SyslogTransport.Tcp:
                    using (var tcp = new TcpClient { NoDelay = true })
                    {
                        await tcp.ConnectAsync(Definition.Server!, Port, cancellationToken).ConfigureAwait(false);
                        var frame = Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " ").Concat(message).ToArray();
                        await using var stream = tcp.GetStream();
                        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case SyslogTransport.Unix:
                    using (var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
                    {
                        await socket.SendToAsync(ClipDatagram(message), SocketFlags.None, new UnixDomainSocketEndPoint(Definition.SocketPath!), cancellationToken).ConfigureAwait(false);
                    }

                    break;
            }
        }
        catch (SocketException e)
        {
            throw new NotificationDeliveryException($"Syslog over {Transport} to {Destination} failed: {e.SocketErrorCode} ({e.Message})", isPermanent: false, e);
        }

        // Syslog never acknowledges a message; handing it to the transport is all a sender can know.
        return $"sent over {Transport}";
    }

    public string Preview(NotificationEvent notification) =>
        $"{Transport} -> {Destination}\n{Encoding.UTF8.GetString(Format(notification)).Replace("\uFEFF", string.Empty)}";

    private string Destination => Transport == SyslogTransport.Unix ? Definition.SocketPath! : $"{Definition.Server}:{Port}";

    private byte[] Format(NotificationEvent notification)
    {
        var facility = Definition.Facility ?? SyslogFormatter.DefaultFacility;
        var appName = Definition.AppName ?? DefaultAppName;
        return Transport == SyslogTransport.Unix
            ? SyslogFormatter.Local(notification, facility, appName)
            : SyslogFormatter.Rfc5424(notification, facility, appName);
    }

    private static AddressFamily AddressFamilyOf(string server) =>
        IPAddress.TryParse(server, out var address) ? address.AddressFamily : AddressFamily.InterNetwork;

    /// <summary>Cuts at a UTF-8 character boundary so the receiver never sees half a character.</summary>
    private static byte[] ClipDatagram(byte[] message)
    {
        if (message.Length <= MaxDatagramBytes)
        {
            return message;
        }

        var length = MaxDatagramBytes;
        while (length > 0 && (message[length] & 0xC0) == 0x80)
        {
            length--;
        }

        return message[..length];
    }
}

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
