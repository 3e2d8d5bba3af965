namespace KdcHa.Notification;

public enum SyslogTransport
{
    Udp,

    /// <summary>RFC 6587 octet counting: "LENGTH SP MESSAGE".</summary>
    Tcp,

    /// <summary>A local datagram socket such as /dev/log (journald, rsyslog imuxsock).</summary>
    Unix,
}
