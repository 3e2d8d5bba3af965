using System;
using System.Globalization;
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
                        var datagram = ClipDatagram(message);
                        await udp.SendAsync(datagram, datagram.Length, Definition.Server!, Port).ConfigureAwait(false);
                    }

                    break;
                case SyslogTransport.Tcp:
                    using (var connection = await TcpConnection.OpenAsync(Definition.Server!, Port, cancellationToken).ConfigureAwait(false))
                    {
                        var prefix = Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " ");
                        var frame = new byte[prefix.Length + message.Length];
                        Buffer.BlockCopy(prefix, 0, frame, 0, prefix.Length);
                        Buffer.BlockCopy(message, 0, frame, prefix.Length, message.Length);
                        await connection.Run(() => connection.Stream.WriteAsync(frame, 0, frame.Length, cancellationToken)).ConfigureAwait(false);
                        await connection.Run(() => connection.Stream.FlushAsync(cancellationToken)).ConfigureAwait(false);
                    }

                    break;
                case SyslogTransport.Unix:
                    using (var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
                    {
                        socket.SendTo(ClipDatagram(message), new UnixDomainSocketEndPoint(Definition.SocketPath!));
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

        var clipped = new byte[length];
        Buffer.BlockCopy(message, 0, clipped, 0, length);
        return clipped;
    }
}
