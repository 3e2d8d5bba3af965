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
