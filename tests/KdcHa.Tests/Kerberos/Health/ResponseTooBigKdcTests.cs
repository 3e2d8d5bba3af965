using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;
using KdcHa.Tests.Kerberos.Transport;
using Microsoft.Extensions.Time.Testing;
using static KdcHa.Tests.Kerberos.Health.ProbeMessages;

namespace KdcHa.Tests.Kerberos.Health;

/// <summary>
/// A KDC on loopback that behaves as an Active Directory DC does over real sockets: UDP and TCP on one port,
/// PREAUTH_REQUIRED on both, and a ticket only over TCP, because over UDP the AS-REP with its PAC does not fit and
/// the DC answers KRB_ERR_RESPONSE_TOO_BIG instead. Each UDP datagram and TCP connection it receives is a logon an
/// AD DC would record.
/// </summary>
public sealed class ResponseTooBigKdcTests : IDisposable
{
    private readonly LoopbackTcpResponder _tcp;
    private readonly LoopbackUdpResponder _udp;
    private readonly FakeTimeProvider _time = new();
    private readonly KdcHealthProbe _probe;
    private int _tcpConnections;

    public ResponseTooBigKdcTests()
    {
        _tcp = new LoopbackTcpResponder(IPAddress.Loopback, async connection =>
        {
            Interlocked.Increment(ref _tcpConnections);
            var request = await LoopbackTcpResponder.ReadFramedAsync(connection);
            var reply = HasPreAuthentication(request) ? Ticket(BobKey, NonceOf(request)) : PreAuthRequired();
            await connection.SendAsync(LoopbackTcpResponder.Frame(reply), System.Net.Sockets.SocketFlags.None);
        });
        _udp = new LoopbackUdpResponder(
            IPAddress.Loopback,
            datagram => Task.FromResult<byte[]?>(HasPreAuthentication(datagram.Payload) ? Error(52) : PreAuthRequired()),
            _tcp.EndPoint.Port);
        _probe = new KdcHealthProbe(new SocketKdcTransport(), new ProbeHints(_time));
    }

    private KdcProbeRequest AuthenticatedRequest => new(KdcEndpoint.Parse(_tcp.EndPoint.ToString()), "KDCHA.TEST", PrincipalName.Parse("bob"), true)
    {
        Level = KdcProbeLevel.Authenticated,
        KeySource = BobPassword(),
        Timeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task AKdcWhoseTicketDidNotFitInADatagramIsProbedOverTcpAloneNextTime()
    {
        var first = await _probe.ProbeAsync(AuthenticatedRequest, CancellationToken.None);
        var udpAfterFirst = _udp.Received.Count;
        var tcpAfterFirst = _tcpConnections;

        var second = await _probe.ProbeAsync(AuthenticatedRequest, CancellationToken.None);

        Assert.Equal("Healthy", first.Status);
        Assert.Equal("Tcp", first.Transport);
        Assert.Equal(2, udpAfterFirst);
        Assert.Equal(1, tcpAfterFirst);
        Assert.Equal("Healthy", second.Status);
        Assert.Equal("Tcp", second.Transport);
        Assert.Equal(udpAfterFirst, _udp.Received.Count);
        Assert.Equal(tcpAfterFirst + 1, _tcpConnections);
    }

    [Fact]
    public async Task OnceTheTcpMemoryHasPassedTheProbeTriesUdpAgain()
    {
        await _probe.ProbeAsync(AuthenticatedRequest, CancellationToken.None);
        _time.Advance(ProbeHints.TcpMemory - TimeSpan.FromSeconds(1));
        await _probe.ProbeAsync(AuthenticatedRequest, CancellationToken.None);
        var udpWithinMemory = _udp.Received.Count;

        _time.Advance(TimeSpan.FromSeconds(1));
        var afterMemory = await _probe.ProbeAsync(AuthenticatedRequest, CancellationToken.None);

        Assert.Equal(2, udpWithinMemory);
        Assert.Equal(udpWithinMemory + 1, _udp.Received.Count);
        Assert.Equal("Healthy", afterMemory.Status);
        Assert.Equal("Tcp", afterMemory.Transport);
    }

    public void Dispose()
    {
        _udp.Dispose();
        _tcp.Dispose();
    }
}
