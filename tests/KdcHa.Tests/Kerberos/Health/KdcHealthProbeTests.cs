using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Transport;
using KdcHa.Tests.Kerberos.Messages;
using Microsoft.Extensions.Time.Testing;
using static KdcHa.Tests.Kerberos.Health.ProbeMessages;

namespace KdcHa.Tests.Kerberos.Health;

public class KdcHealthProbeTests
{
    [Theory]
    [InlineData(25, true, "Healthy")]
    [InlineData(6, false, "Healthy")]
    [InlineData(6, true, "PrincipalUnknown")]
    [InlineData(37, true, "ClockSkew")]
    [InlineData(14, true, "KdcError")]
    [InlineData(29, true, "DatabaseUnavailable")]
    [InlineData(60, true, "KdcError")]
    public async Task ReachableProbeClassifiesTheKdcAnswer(int errorCode, bool clientIsExpected, string expectedStatus)
    {
        var result = await Probe(Request(KdcProbeLevel.Reachable, clientIsExpected), _ => Error(errorCode));

        Assert.Equal(expectedStatus, result.Status);
        Assert.Equal(expectedStatus == "Healthy", result.IsHealthy);
        Assert.Equal(errorCode, result.ErrorCode);
        Assert.StartsWith("K", result.ErrorName);
    }

    [Theory]
    [InlineData(60, "LOOKING_UP_CLIENT")]
    [InlineData(60, "LOOKING_UP_SERVER")]
    [InlineData(29, "LOOKING_UP_CLIENT")]
    public async Task AKdcWhoseDatabaseLookupFailedIsDatabaseUnavailableWithItsText(int errorCode, string errorText)
    {
        // As MIT 1.20's krb5kdc sends it when its LDAP directory is down (errorCode 60) or its db2 file locked (29).
        var answer = Der.Application(
            30,
            Der.Explicit(0, Der.Integer(5)),
            Der.Explicit(1, Der.Integer(30)),
            Der.Explicit(4, Der.Time(Now)),
            Der.Explicit(5, Der.Integer(0)),
            Der.Explicit(6, Der.Integer(errorCode)),
            Der.Explicit(9, Der.GeneralString("KDCHA.TEST")),
            Der.Explicit(10, Der.Principal(2, "krbtgt", "KDCHA.TEST")),
            Der.Explicit(11, Der.GeneralString(errorText)));

        var result = await Probe(Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => answer);

        Assert.Equal("DatabaseUnavailable", result.Status);
        Assert.Contains(errorText, result.Message);
    }

    [Fact]
    public async Task AKdcErrorIsReportedByItsRfcName()
    {
        var result = await Probe(Request(KdcProbeLevel.Reachable), _ => Error(14));

        Assert.Equal("KDC_ERR_ETYPE_NOSUPP", result.ErrorName);
        Assert.Contains("KDC_ERR_ETYPE_NOSUPP", result.Message);
    }

    [Fact]
    public async Task AKdcWhoseClockIsOffByMoreThanFiveMinutesIsClockSkewEvenWhenItAnswers()
    {
        var skewed = DateTime.UtcNow.AddMinutes(10).ToString("yyyyMMddHHmmss'Z'");
        var result = await Probe(Request(KdcProbeLevel.Reachable), _ => KdcHa.Tests.Kerberos.Messages.SampleMessages.KrbErrorAt(skewed, 25, null));

        Assert.Equal("ClockSkew", result.Status);
        Assert.InRange(result.ClockSkewSeconds!.Value, 590, 610);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x30, 0x00 })]
    [InlineData(new byte[] { 0x7e, 0x81 })]
    public async Task GarbageIsAProtocolError(byte[] reply)
    {
        var result = await Probe(Request(KdcProbeLevel.Reachable), _ => reply);

        Assert.Equal("ProtocolError", result.Status);
    }

    [Fact]
    public async Task ResponseTooBigOverUdpSwitchesToTcpInAutoMode()
    {
        var transport = new ScriptedTransport(_ => Error(52), _ => Error(25));
        var result = await new KdcHealthProbe(transport).ProbeAsync(Request(KdcProbeLevel.Reachable), CancellationToken.None);

        Assert.Equal("Healthy", result.Status);
        Assert.Equal("Tcp", result.Transport);
        Assert.Equal(new List<KdcTransportProtocol> { KdcTransportProtocol.Udp, KdcTransportProtocol.Tcp }, transport.Protocols);
    }

    [Fact]
    public async Task AKdcWhoseReplyDidNotFitIsProbedOverTcpDirectlyUntilTheMemoryExpires()
    {
        var time = new FakeTimeProvider();
        var hints = new ProbeHints(time);
        var transport = new ScriptedTransport(_ => Error(52), _ => Error(25), _ => Error(25), _ => Error(25), _ => Error(25));
        var probe = new KdcHealthProbe(transport, hints);
        var otherKdc = new KdcProbeRequest(KdcEndpoint.Parse("127.0.0.2"), "KDCHA.TEST", KdcHa.Kerberos.Messages.PrincipalName.Parse("bob"), true);

        await probe.ProbeAsync(Request(KdcProbeLevel.Reachable), CancellationToken.None);
        time.Advance(ProbeHints.TcpMemory - TimeSpan.FromSeconds(1));
        var remembered = await probe.ProbeAsync(Request(KdcProbeLevel.Reachable), CancellationToken.None);
        await probe.ProbeAsync(otherKdc, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        await probe.ProbeAsync(Request(KdcProbeLevel.Reachable), CancellationToken.None);

        Assert.Equal("Healthy", remembered.Status);
        Assert.Equal("Tcp", remembered.Transport);
        Assert.Equal(
            new List<KdcTransportProtocol> { KdcTransportProtocol.Udp, KdcTransportProtocol.Tcp, KdcTransportProtocol.Tcp, KdcTransportProtocol.Udp, KdcTransportProtocol.Udp },
            transport.Protocols);
    }

    [Fact]
    public async Task ResponseTooBigIsAnErrorWhenUdpWasForced()
    {
        var transport = new ScriptedTransport(_ => Error(52));
        var request = new KdcProbeRequest(Request(KdcProbeLevel.Reachable).Endpoint, "KDCHA.TEST", KdcHa.Kerberos.Messages.PrincipalName.Parse("bob"), true)
        {
            Transport = KdcTransportProtocol.Udp,
        };

        var result = await new KdcHealthProbe(transport).ProbeAsync(request, CancellationToken.None);

        Assert.Equal("KdcError", result.Status);
        Assert.Equal(52, result.ErrorCode);
    }

    [Fact]
    public async Task AuthenticatedProbePreAuthenticatesAndDecryptsTheTicket()
    {
        byte[]? secondRequest = null;
        var result = await Probe(
            Request(KdcProbeLevel.Authenticated, keys: BobPassword()),
            first => PreAuthRequired(),
            second =>
            {
                secondRequest = second;
                return Ticket(BobKey, NonceOf(second));
            });

        Assert.Equal("Healthy", result.Status);
        Assert.Null(result.ErrorCode);
        Assert.Equal("aes256-cts-hmac-sha1-96", result.EncryptionType);
        Assert.True(HasPreAuthentication(secondRequest!));
        Assert.NotEmpty(DecryptTimestamp(secondRequest!, BobKey));
    }

    [Fact]
    public async Task EveryProbeSendsAFresh31BitNonce()
    {
        var nonces = new HashSet<uint>();
        for (var probe = 0; probe < 200; probe++)
        {
            await Probe(Request(KdcProbeLevel.Reachable), request =>
            {
                nonces.Add(NonceOf(request));
                return Error(25);
            });
        }

        Assert.Equal(200, nonces.Count);
        Assert.All(nonces, nonce => Assert.True(nonce < 0x80000000u));
    }

    [Fact]
    public async Task ATicketForAnotherNonceIsNotProofOfHealth()
    {
        var result = await Probe(Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(), second => Ticket(BobKey, NonceOf(second) ^ 1));

        Assert.Equal("ProtocolError", result.Status);
        Assert.Contains("nonce", result.Message);
    }

    [Fact]
    public async Task ATicketEncryptedWithAnotherKeyIsAKeyMismatch()
    {
        var otherKey = new byte[32];
        var result = await Probe(Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(), second => Ticket(otherKey, NonceOf(second)));

        Assert.Equal("KeyMismatch", result.Status);
    }

    [Fact]
    public async Task PreAuthenticationFailedIsAKeyMismatch()
    {
        var result = await Probe(Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(), _ => Error(24));

        Assert.Equal("KeyMismatch", result.Status);
        Assert.Equal("KDC_ERR_PREAUTH_FAILED", result.ErrorName);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x7f, 0xff, 0xff, 0xff })]
    public async Task AbsurdStringToKeyIterationCountsAreRefusedNotComputed(byte[] s2kParameters)
    {
        var result = await Probe(Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(s2kParameters));

        Assert.Equal("ProtocolError", result.Status);
        Assert.Contains("iterations", result.Message);
    }

    [Fact]
    public async Task AuthenticatedProbeAcceptsATicketIssuedWithoutPreAuthentication()
    {
        var result = await Probe(Request(KdcProbeLevel.Authenticated, keys: BobPassword()), first => Ticket(BobKey, NonceOf(first)));

        Assert.Equal("Healthy", result.Status);
    }

    [Fact]
    public async Task AfterOneHealthyProbeTheNextPreAuthenticatesInItsFirstRequest()
    {
        var hints = new ProbeHints();
        await Probe(hints, Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(), second => Ticket(BobKey, NonceOf(second)));

        byte[]? onlyRequest = null;
        var transport = new ScriptedTransport(request =>
        {
            onlyRequest = request;
            return Ticket(BobKey, NonceOf(request));
        });
        var result = await new KdcHealthProbe(transport, hints).ProbeAsync(Request(KdcProbeLevel.Authenticated, keys: BobPassword()), CancellationToken.None);

        Assert.Equal("Healthy", result.Status);
        Assert.Single(transport.Protocols);
        Assert.NotEmpty(DecryptTimestamp(onlyRequest!, BobKey));
    }

    [Theory]
    [InlineData(24)]
    [InlineData(14)]
    [InlineData(25)]
    public async Task AHintTheKdcNoLongerTakesFallsBackToItsAnnouncement(int errorCode)
    {
        var hints = new ProbeHints();
        await Probe(hints, Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(), second => Ticket(BobKey, NonceOf(second)));

        var result = await Probe(
            hints,
            Request(KdcProbeLevel.Authenticated, keys: BobPassword()),
            _ => Error(errorCode),
            _ => PreAuthRequired(),
            third => Ticket(BobKey, NonceOf(third)));

        Assert.Equal("Healthy", result.Status);
    }

    [Fact]
    public async Task AKeyTheKdcRejectsAfterItsOwnAnnouncementIsAKeyMismatchEvenWithAHint()
    {
        var hints = new ProbeHints();
        await Probe(hints, Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(), second => Ticket(BobKey, NonceOf(second)));

        var result = await Probe(hints, Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => Error(24), _ => PreAuthRequired(), _ => Error(24));

        Assert.Equal("KeyMismatch", result.Status);
    }

    [Fact]
    public async Task AHintIsLearntOnlyFromAHealthyExchange()
    {
        var hints = new ProbeHints();
        await Probe(hints, Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(), _ => Error(24));

        var result = await Probe(hints, Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(), second => Ticket(BobKey, NonceOf(second)));

        Assert.Equal("Healthy", result.Status);
    }

    [Fact]
    public async Task AClockSkewAnswerToAHintIsAClockSkewVerdict()
    {
        var hints = new ProbeHints();
        await Probe(hints, Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(), second => Ticket(BobKey, NonceOf(second)));

        var result = await Probe(hints, Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => Error(37));

        Assert.Equal("ClockSkew", result.Status);
    }

    private static Task<KdcHealthResult> Probe(ProbeHints hints, KdcProbeRequest request, params Func<byte[], byte[]>[] replies) =>
        new KdcHealthProbe(new ScriptedTransport(replies), hints).ProbeAsync(request, CancellationToken.None);

    private static Task<KdcHealthResult> Probe(KdcProbeRequest request, params Func<byte[], byte[]>[] replies) =>
        new KdcHealthProbe(new ScriptedTransport(replies)).ProbeAsync(request, CancellationToken.None);
}
