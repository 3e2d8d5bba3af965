using System.Net.Sockets;

namespace KdcHa.Kerberos.Transport;

/// <summary>Maps OS socket errors to what they say about the KDC; the same errno means different things before and after a TCP connect.</summary>
internal static class SocketFailureClassifier
{
    public static KdcTransportFailure Classify(SocketError error, bool tcpConnected)
    {
        switch (error)
        {
            case SocketError.ConnectionRefused:
                return KdcTransportFailure.Refused;

            // Windows reports ICMP port unreachable on a UDP socket as a reset; on an established TCP stream a
            // reset means the KDC dropped the exchange half way.
            case SocketError.ConnectionReset:
                return tcpConnected ? KdcTransportFailure.ProtocolError : KdcTransportFailure.Refused;

            case SocketError.TimedOut:
                return KdcTransportFailure.Timeout;

            case SocketError.HostUnreachable:
            case SocketError.NetworkUnreachable:
            case SocketError.NetworkDown:
            case SocketError.HostDown:
            case SocketError.AddressNotAvailable:
            case SocketError.AddressFamilyNotSupported:
            case SocketError.ProtocolFamilyNotSupported:
                return KdcTransportFailure.Unreachable;

            default:
                return tcpConnected ? KdcTransportFailure.ProtocolError : KdcTransportFailure.Unreachable;
        }
    }
}
