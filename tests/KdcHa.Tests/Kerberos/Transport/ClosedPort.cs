using System.Net;
using System.Net.Sockets;

namespace KdcHa.Tests.Kerberos.Transport;

internal static class ClosedPort
{
    /// <summary>A port the OS just handed out and that is closed again: nothing listens on it (a killed KDC).</summary>
    public static IPEndPoint On(IPAddress address, SocketType socketType)
    {
        using var socket = new Socket(address.AddressFamily, socketType, socketType == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }
}
