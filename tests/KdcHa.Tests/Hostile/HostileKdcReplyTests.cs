using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Crypto;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;
using KdcHa.Tests.Kerberos.Health;
using KdcHa.Tests.Kerberos.Messages;
using KdcHa.Tests.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Health.ProbeMessages;

namespace KdcHa.Tests.Hostile;

/// <summary>Replies a hostile or broken KDC sends after the probe pre-authenticated: each is a classified result.</summary>
[Collection(LoopbackSocketCollection.Name)]
public class HostileKdcReplyTests
{
    [Theory]
    [InlineData(17)]
    [InlineData(19)]
    [InlineData(23)]
    [InlineData(-135)]
    public async Task AReplyInAnEncryptionTypeThePreAuthenticationKeyIsNotIsAProtocolError(int replyEncryptionType)
    {
        var result = await Probe(
            Request(KdcProbeLevel.Authenticated, keys: BobPassword()),
            _ => PreAuthRequired(),
            second => SampleMessages.AsReply(SampleMessages.EncryptedData(replyEncryptionType, 1, new byte[80])));

        Assert.Equal("ProtocolError", result.Status);
        Assert.Contains("encryption type", result.Message);
    }

    [Fact]
    public async Task AnUnauthenticatedReplyInAnEncryptionTypeTheProbeDidNotOfferIsAProtocolError()
    {
        var keytabKeys = new FixedKeySource(18, BobKey);
        var result = await Probe(
            Request(KdcProbeLevel.Authenticated, keys: keytabKeys),
            _ => SampleMessages.AsReply(SampleMessages.EncryptedData(17, 1, new byte[80])));

        Assert.Equal("ProtocolError", result.Status);
    }

    [Fact]
    public async Task AReplyUnderTheRightEncryptionTypeButAnotherKeyStaysAKeyMismatch()
    {
        var result = await Probe(
            Request(KdcProbeLevel.Authenticated, keys: BobPassword()),
            _ => PreAuthRequired(),
            second => Ticket(new byte[32], NonceOf(second)));

        Assert.Equal("KeyMismatch", result.Status);
    }

    [Fact]
    public async Task AKeyOfTheWrongLengthFromAKeySourceIsAClassifiedResult()
    {
        var result = await Probe(
            Request(KdcProbeLevel.Authenticated, keys: new FixedKeySource(18, new byte[16])),
            _ => PreAuthRequired(),
            second => Ticket(BobKey, NonceOf(second)));

        Assert.NotEqual("Healthy", result.Status);
    }

    [Theory]
    [InlineData(KdcTransportProtocol.Udp, 0)]
    [InlineData(KdcTransportProtocol.Udp, 1)]
    [InlineData(KdcTransportProtocol.Udp, 3)]
    [InlineData(KdcTransportProtocol.Udp, 5)]
    [InlineData(KdcTransportProtocol.Udp, 16)]
    [InlineData(KdcTransportProtocol.Tcp, 0)]
    [InlineData(KdcTransportProtocol.Tcp, 3)]
    public async Task StringToKeyParametersThatAreNotFourBytesAreAProtocolError(KdcTransportProtocol protocol, int length)
    {
        Func<byte[], byte[]> reply = _ => PreAuthRequired(new byte[length]);
        using var udp = LoopbackUdpResponder.Echo(IPAddress.Loopback, reply);
        using var tcp = LoopbackTcpResponder.Framed(IPAddress.Loopback, reply);
        var kdc = protocol == KdcTransportProtocol.Udp ? udp.EndPoint : tcp.EndPoint;

        var result = await new KdcHealthProbe(new SocketKdcTransport()).ProbeAsync(LoopbackRequest(kdc, protocol), CancellationToken.None);

        Assert.Equal("ProtocolError", result.Status);
        Assert.Contains("s2kparams", result.Message);
    }

    [Fact]
    public async Task IterationCountsAboveTheCapAreAProtocolErrorWithoutDerivingAKey()
    {
        var clock = Stopwatch.StartNew();
        var result = await Probe(Request(KdcProbeLevel.Authenticated, keys: BobPassword()), _ => PreAuthRequired(new byte[] { 0x00, 0x10, 0x00, 0x00 }));

        Assert.Equal("ProtocolError", result.Status);
        Assert.Contains("iterations", result.Message);
        Assert.True(clock.ElapsedMilliseconds < 500, $"took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task KeyDerivationEndsAtTheDeadline()
    {
        // At the cap on a loaded 2-core host a derivation may take longer than the whole probe budget.
        var request = new KdcProbeRequest(KdcEndpoint.Parse("127.0.0.1"), "KDCHA.TEST", PrincipalName.Parse("bob"), true)
        {
            Level = KdcProbeLevel.Authenticated,
            KeySource = BobPassword(),
            Timeout = TimeSpan.FromMilliseconds(5),
        };
        var clock = Stopwatch.StartNew();
        var result = await Probe(request, _ => PreAuthRequired(KdcHaIterations(PasswordKeySource.MaximumIterations)), second => Ticket(BobKey, NonceOf(second)));

        Assert.Equal("Timeout", result.Status);
        Assert.True(clock.ElapsedMilliseconds < 105, $"took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task ADerivedKeyIsReusedByTheNextProbe()
    {
        var keys = BobPassword();
        var parameters = KdcHaIterations(8192);
        await Probe(Request(KdcProbeLevel.Authenticated, keys: keys), _ => PreAuthRequired(parameters), second => Ticket(BobKey, NonceOf(second)));

        var clock = Stopwatch.StartNew();
        await Probe(Request(KdcProbeLevel.Authenticated, keys: keys), _ => PreAuthRequired(parameters), second => Ticket(BobKey, NonceOf(second)));

        Assert.True(clock.ElapsedMilliseconds < 200, $"took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void ARealmLongerThanTheCapIsRefusedAtValidation()
    {
        var exception = Assert.Throws<ArgumentException>(() => new KdcProbeRequest(KdcEndpoint.Parse("127.0.0.1"), new string('R', 70_000), PrincipalName.Parse("bob"), true));

        Assert.Contains("realm", exception.Message);
    }

    [Fact]
    public void APrincipalLongerThanTheCapIsRefusedAtValidation()
    {
        var exception = Assert.Throws<ArgumentException>(() => new KdcProbeRequest(KdcEndpoint.Parse("127.0.0.1"), "KDCHA.TEST", PrincipalName.Parse(new string('b', 70_000)), true));

        Assert.Contains("principal", exception.Message);
    }

    [Fact]
    public async Task ARequestAboveMitsUdpPreferenceLimitIsSentOverTcpInAutoMode()
    {
        var transport = new ScriptedTransport(_ => Error(25));
        var request = new KdcProbeRequest(KdcEndpoint.Parse("127.0.0.1"), new string('R', KdcProbeRequest.MaxRealmLength), PrincipalName.Parse(new string('b', KdcProbeRequest.MaxPrincipalLength)), true);

        var result = await new KdcHealthProbe(transport).ProbeAsync(request, CancellationToken.None);

        Assert.Equal("Healthy", result.Status);
        Assert.Equal(new[] { KdcTransportProtocol.Tcp }, transport.Protocols);
    }

    [Fact]
    public async Task TheLargestRequestStillFitsInADatagramWhenUdpIsForced()
    {
        var transport = new ScriptedTransport(asRequest =>
        {
            Assert.InRange(asRequest.Length, 1, SocketKdcTransport.MaxUdpRequestLength);
            return Error(25);
        });
        var request = new KdcProbeRequest(KdcEndpoint.Parse("127.0.0.1"), new string('R', KdcProbeRequest.MaxRealmLength), PrincipalName.Parse(new string('b', KdcProbeRequest.MaxPrincipalLength)), true)
        {
            Transport = KdcTransportProtocol.Udp,
        };

        var result = await new KdcHealthProbe(transport).ProbeAsync(request, CancellationToken.None);

        Assert.Equal("Healthy", result.Status);
        Assert.Equal(new[] { KdcTransportProtocol.Udp }, transport.Protocols);
    }

    internal static byte[] KdcHaIterations(uint iterations) =>
        new[] { (byte)(iterations >> 24), (byte)(iterations >> 16), (byte)(iterations >> 8), (byte)iterations };

    internal static KdcProbeRequest LoopbackRequest(IPEndPoint kdc, KdcTransportProtocol protocol) =>
        new(KdcEndpoint.Parse(kdc.ToString()), "KDCHA.TEST", PrincipalName.Parse("bob"), true)
        {
            Level = KdcProbeLevel.Authenticated,
            KeySource = BobPassword(),
            Transport = protocol,
            Timeout = TimeSpan.FromSeconds(2),
        };

    private static Task<KdcHealthResult> Probe(KdcProbeRequest request, params Func<byte[], byte[]>[] replies) =>
        new KdcHealthProbe(new ScriptedTransport(replies), new ProbeHints()).ProbeAsync(request, CancellationToken.None);

    /// <summary>A key source that hands out one key as given, as a keytab does.</summary>
    private sealed class FixedKeySource : IClientKeySource
    {
        private readonly ClientKey _key;

        public FixedKeySource(int encryptionType, byte[] key)
        {
            _key = new ClientKey(encryptionType, key, 1);
            EncryptionTypes = new[] { encryptionType };
        }

        public System.Collections.Generic.IReadOnlyList<int> EncryptionTypes { get; }

        public Task<ClientKey?> GetKeyAsync(int encryptionType, string salt, byte[]? stringToKeyParameters) =>
            Task.FromResult(encryptionType == _key.EncryptionType ? _key : null);
    }
}
