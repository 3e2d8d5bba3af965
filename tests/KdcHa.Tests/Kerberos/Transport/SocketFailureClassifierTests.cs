using System.Net.Sockets;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Tests.Kerberos.Transport;

public sealed class SocketFailureClassifierTests
{
    [Theory]
    [InlineData(SocketError.ConnectionRefused, false, KdcTransportFailure.Refused)]
    [InlineData(SocketError.ConnectionReset, false, KdcTransportFailure.Refused)]
    [InlineData(SocketError.ConnectionReset, true, KdcTransportFailure.ProtocolError)]
    [InlineData(SocketError.HostUnreachable, false, KdcTransportFailure.Unreachable)]
    [InlineData(SocketError.NetworkUnreachable, false, KdcTransportFailure.Unreachable)]
    [InlineData(SocketError.HostUnreachable, true, KdcTransportFailure.Unreachable)]
    [InlineData(SocketError.AddressFamilyNotSupported, false, KdcTransportFailure.Unreachable)]
    [InlineData(SocketError.TimedOut, false, KdcTransportFailure.Timeout)]
    [InlineData(SocketError.TimedOut, true, KdcTransportFailure.Timeout)]
    [InlineData(SocketError.ConnectionAborted, true, KdcTransportFailure.ProtocolError)]
    [InlineData(SocketError.SocketError, false, KdcTransportFailure.Unreachable)]
    public void Classifies_socket_errors(SocketError error, bool tcpConnected, KdcTransportFailure expected) =>
        Assert.Equal(expected, SocketFailureClassifier.Classify(error, tcpConnected));
}
