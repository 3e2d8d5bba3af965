using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;
using KdcHa.Tests.Kerberos.Messages;
using KdcHa.Tests.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Health.ProbeMessages;

namespace KdcHa.Tests.Hostile;

/// <summary>
/// Issue 15, item 10: over UDP a datagram that does not answer this request is junk. Each responder sends it from
/// the KDC's own address and port right before the real answer, as an off-path forger racing the KDC would.
/// </summary>
public class UdpJunkReplyTests
{
    private static readonly byte[] AnotherRealmsError = Der.Application(
        30,
        Der.Explicit(0, Der.Integer(5)),
        Der.Explicit(1, Der.Integer(30)),
        Der.Explicit(4, Der.Time(Now)),
        Der.Explicit(5, Der.Integer(0)),
        Der.Explicit(6, Der.Integer(24)),
        Der.Explicit(9, Der.GeneralString("OTHER.TEST")),
        Der.Explicit(10, Der.Principal(2, "krbtgt", "OTHER.TEST")));

    public static TheoryData<string, byte[]> JunkBeforeAnError => new()
    {
        { "empty", Array.Empty<byte>() },
        { "an empty SEQUENCE", new byte[] { 0x30, 0x00 } },
        { "a truncated AS-REP", new byte[] { 0x6b, 0x03, 0x01, 0x02, 0x03 } },
        { "a KRB-ERROR for another realm", AnotherRealmsError },
        { "an AS-REP for another client", AnotherClientsTicket() },
    };

    [Theory]
    [MemberData(nameof(JunkBeforeAnError))]
    public async Task JunkBeforeTheKdcsAnswerIsCountedAndTheAnswerDecides(string junk, byte[] datagram)
    {
        using var kdc = LoopbackUdpResponder.Burst(IPAddress.Loopback, _ => new[] { datagram, PreAuthRequired() });

        var result = await Probe(Reachable(kdc.EndPoint));

        Assert.True(result.Status == "Healthy", $"{junk}: {result.Status}: {result.Message}");
        Assert.Equal(1, result.JunkReplies);
    }

    [Fact]
    public async Task ATicketForAnotherNonceIsJunkAndTheRealTicketIsTaken()
    {
        using var kdc = LoopbackUdpResponder.Burst(IPAddress.Loopback, request => HasPreAuthentication(request)
            ? new[] { Ticket(BobKey, NonceOf(request) ^ 1), Ticket(BobKey, NonceOf(request)) }
            : new[] { PreAuthRequired() });

        var result = await Probe(HostileKdcReplyTests.LoopbackRequest(kdc.EndPoint, KdcTransportProtocol.Udp));

        Assert.True(result.Status == "Healthy", $"{result.Status}: {result.Message}");
        Assert.Equal(1, result.JunkReplies);
    }

    [Fact]
    public async Task ATicketThatDoesNotDecryptAfterPreAuthenticationIsJunkNotAKeyMismatch()
    {
        var otherKey = new byte[32];
        using var kdc = LoopbackUdpResponder.Burst(IPAddress.Loopback, request => HasPreAuthentication(request)
            ? new[] { Ticket(otherKey, NonceOf(request)), Ticket(BobKey, NonceOf(request)) }
            : new[] { PreAuthRequired() });

        var result = await Probe(HostileKdcReplyTests.LoopbackRequest(kdc.EndPoint, KdcTransportProtocol.Udp));

        Assert.True(result.Status == "Healthy", $"{result.Status}: {result.Message}");
        Assert.Equal(1, result.JunkReplies);
    }

    [Fact]
    public async Task OnlyJunkUntilTheDeadlineIsAProtocolErrorThatSaysSo()
    {
        using var kdc = LoopbackUdpResponder.Echo(IPAddress.Loopback, _ => new byte[] { 0x30, 0x00 });
        var request = Reachable(kdc.EndPoint);

        var result = await Probe(request);

        Assert.Equal("ProtocolError", result.Status);
        Assert.True(result.JunkReplies >= 1, "no junk counted");
        Assert.Contains("not a Kerberos reply", result.Message);
        Assert.InRange(result.RoundTripMilliseconds, request.Timeout.TotalMilliseconds - 10, request.Timeout.TotalMilliseconds + 100);
    }

    private static Task<KdcHealthResult> Probe(KdcProbeRequest request) =>
        new KdcHealthProbe(new SocketKdcTransport()).ProbeAsync(request, CancellationToken.None);

    private static KdcProbeRequest Reachable(IPEndPoint kdc) =>
        new(KdcEndpoint.Parse(kdc.ToString()), "KDCHA.TEST", PrincipalName.Parse("bob"), true)
        {
            Transport = KdcTransportProtocol.Udp,
            Timeout = TimeSpan.FromMilliseconds(400),
        };

    private static byte[] AnotherClientsTicket() => Der.Application(
        11,
        Der.Explicit(0, Der.Integer(5)),
        Der.Explicit(1, Der.Integer(11)),
        Der.Explicit(3, Der.GeneralString("KDCHA.TEST")),
        Der.Explicit(4, Der.Principal(1, "alice")),
        Der.Explicit(5, SampleMessages.Ticket),
        Der.Explicit(6, SampleMessages.EncryptedData(18, 1, new byte[64])));
}
