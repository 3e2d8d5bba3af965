using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Crypto;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// Probes one KDC with a real AS exchange under one overall deadline, and classifies whatever happens into a
/// <see cref="KdcHealthResult"/>: a KDC that is down is a result, never an exception.
/// </summary>
public sealed class KdcHealthProbe
{
    /// <summary>MIT's default tolerance; beyond it every client of this KDC fails with KRB_AP_ERR_SKEW.</summary>
    public static readonly TimeSpan MaximumClockSkew = TimeSpan.FromMinutes(5);

    // "Ask for the KDC's maximum lifetime" without depending on our clock; the value MIT's own clients send.
    private static readonly DateTime RequestedTill = new(2037, 9, 13, 2, 48, 5, DateTimeKind.Utc);
    private const uint RenewableOk = 0x00000010;

    // MIT's KDC puts its internal status in the e-text; LOOKING_UP_CLIENT and LOOKING_UP_SERVER mean the database
    // lookup itself failed (not that the name is absent, which is C_PRINCIPAL_UNKNOWN).
    private const string DatabaseLookupFailed = "LOOKING_UP_";
    private const int PaEncTimestampUsage = 1;

    // UDP has no delivery signal: resend a few times inside the deadline, but never more often than every 50 ms.
    private const int UdpTriesPerDeadline = 4;
    private const int UdpPreferenceLimit = 1465;
    private static readonly TimeSpan MinimumAttemptTimeout = TimeSpan.FromMilliseconds(50);

    private static readonly IReadOnlyList<int> AllEncryptionTypes = KerberosEncryption.PreferenceOrder.Select(type => (int)type).ToArray();

    // Fixed, so that a checker replaying one request sends the same bytes every time; below 2^31 like every nonce.
    private const uint ReplayedNonce = 0x4B444341;

    private readonly IKdcTransport _transport;
    private readonly ProbeHints _hints;

    /// <summary>A probe that learns pre-authentication hints for itself alone.</summary>
    public KdcHealthProbe(IKdcTransport transport)
        : this(transport, new ProbeHints())
    {
    }

    /// <summary>A probe that learns and uses <paramref name="hints"/>, which other probes may share.</summary>
    public KdcHealthProbe(IKdcTransport transport, ProbeHints hints)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _hints = hints ?? throw new ArgumentNullException(nameof(hints));
    }

    /// <summary>
    /// The AS-REQ, framed for TCP (RFC 4120 §7.2.2), for a checker that cannot run a probe and replays one request
    /// (HAProxy's tcp-check): the stand-in client <see cref="KdcProbeTargetFactory.ProbeClientName"/> of
    /// <paramref name="realm"/> with a fixed nonce and end time. A KDC answers it only after looking the name up, with
    /// a KRB-ERROR ("principal unknown"), or with an AS-REP should the name exist without pre-authentication.
    /// </summary>
    public static byte[] ReplayableTcpRequest(string realm) =>
        TcpKdcExchanger.Frame(NewAsRequest(PrincipalName.Parse(KdcProbeTargetFactory.ProbeClientName), realm, AllEncryptionTypes, ReplayedNonce, Array.Empty<PaData>()));

    /// <summary>Probes, and completes on the thread pool: the caller's continuation may block.</summary>
    public async Task<KdcHealthResult> ProbeAsync(KdcProbeRequest request, CancellationToken cancellationToken)
    {
        var result = await ProbeWithoutHandOffAsync(request, cancellationToken).ConfigureAwait(false);

        // The probe ends on the transport's UDP thread, which every other exchange in the process waits on; a
        // caller that writes files or sends alerts next must not do it there.
        await Task.Yield();
        return result;
    }

    /// <summary>
    /// Probes, and completes on whichever thread delivered the last reply, the transport's UDP thread included:
    /// for callers whose continuation only hands the result on (a queue, a signal), sparing a thread-pool hop.
    /// </summary>
    internal async Task<KdcHealthResult> ProbeWithoutHandOffAsync(KdcProbeRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var clock = Stopwatch.StartNew();
        var observation = new ProbeObservation(request);
        try
        {
            var (status, message) = await RunAsync(request, observation, clock, cancellationToken).ConfigureAwait(false);
            return observation.ToResult(status, clock.Elapsed, message);
        }
        catch (KdcTransportException e)
        {
            observation.Protocol = e.Protocol;
            observation.JunkReplies += e.JunkReplies;
            return observation.ToResult(Classify(e.Failure), clock.Elapsed, e.Message);
        }
        catch (KerberosProtocolException e)
        {
            return observation.ToResult(KdcHealthStatus.ProtocolError, clock.Elapsed, e.Message);
        }
        catch (TimeoutException e)
        {
            return observation.ToResult(KdcHealthStatus.Timeout, clock.Elapsed, e.Message);
        }
    }

    private static KdcHealthStatus Classify(KdcTransportFailure failure) => failure switch
    {
        KdcTransportFailure.Timeout => KdcHealthStatus.Timeout,
        KdcTransportFailure.Refused => KdcHealthStatus.Refused,
        KdcTransportFailure.ProtocolError => KdcHealthStatus.ProtocolError,
        _ => KdcHealthStatus.Unreachable,
    };

    private async Task<(KdcHealthStatus Status, string Message)> RunAsync(
        KdcProbeRequest request, ProbeObservation observation, Stopwatch clock, CancellationToken cancellationToken)
    {
        if (request.Level == KdcProbeLevel.Authenticated
            && _hints.Find(request.ClientPrincipal) is { } hint
            && await KeyForAsync(request, hint.EncryptionType, hint, clock, cancellationToken).ConfigureAwait(false) is { } hintedKey)
        {
            if (await PreAuthenticateAsync(request, hintedKey, hint, hinted: true, observation, clock, cancellationToken).ConfigureAwait(false) is { } verdict)
            {
                return verdict;
            }

            _hints.Forget(request.ClientPrincipal);
        }

        var encryptionTypes = request.KeySource?.EncryptionTypes ?? AllEncryptionTypes;
        var firstNonce = NewNonce();
        var first = await ExchangeAsync(
                request, NewAsRequest(request, encryptionTypes, firstNonce, Array.Empty<PaData>()), ProbeAnswer.For(request, null, firstNonce), observation, clock, cancellationToken)
            .ConfigureAwait(false);

        if (first is AsReply unauthenticatedReply)
        {
            observation.EncryptionType = unauthenticatedReply.EncryptedPart.EncryptionType;
            if (request.Level == KdcProbeLevel.Reachable)
            {
                return (KdcHealthStatus.Healthy, "The KDC issued a ticket without pre-authentication.");
            }

            var replyType = unauthenticatedReply.EncryptedPart.EncryptionType;
            if (!encryptionTypes.Contains(replyType))
            {
                return NotOffered(replyType, encryptionTypes);
            }

            var replySalt = AnnouncedSalts(unauthenticatedReply.PreAuthentication).FirstOrDefault(entry => entry.EncryptionType == replyType);
            var replyKey = await KeyForAsync(request, replyType, replySalt, clock, cancellationToken).ConfigureAwait(false);
            return replyKey is null
                ? (KdcHealthStatus.KdcError, $"The KDC answered with encryption type {unauthenticatedReply.EncryptedPart.EncryptionType}, for which no key is available.")
                : Verify(unauthenticatedReply, replyKey, firstNonce, observation);
        }

        var error = (KrbError)first;
        if (ClassifyError(request, error, observation) is { } refusal)
        {
            return refusal;
        }

        if (request.Level == KdcProbeLevel.Reachable)
        {
            return (KdcHealthStatus.Healthy, "The KDC asked for pre-authentication.");
        }

        var announced = error.ETypeInfo2.FirstOrDefault(entry => encryptionTypes.Contains(entry.EncryptionType))
            ?? new ETypeInfo2Entry(encryptionTypes[0], null, null);
        var key = await KeyForAsync(request, announced.EncryptionType, announced, clock, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return (KdcHealthStatus.KdcError, $"The KDC offered encryption type {announced.EncryptionType}, for which no key is available.");
        }

        return await PreAuthenticateAsync(request, key, announced, hinted: false, observation, clock, cancellationToken).ConfigureAwait(false)
            ?? (KdcHealthStatus.KdcError, "The KDC asked for pre-authentication again after receiving it.");
    }

    /// <summary>
    /// Sends PA-ENC-TIMESTAMP under <paramref name="key"/> and checks the ticket. Null when the KDC asks for
    /// pre-authentication again, or, for a <paramref name="hinted"/> key, rejects it or lacks its encryption type:
    /// the hint is stale, and only the KDC's own announcement can tell a wrong key from a changed one.
    /// </summary>
    private async Task<(KdcHealthStatus Status, string Message)?> PreAuthenticateAsync(
        KdcProbeRequest request, ClientKey key, ETypeInfo2Entry announced, bool hinted, ProbeObservation observation, Stopwatch clock, CancellationToken cancellationToken)
    {
        observation.EncryptionType = key.EncryptionType;
        observation.KeyVersion = key.KeyVersion;
        var nonce = NewNonce();
        var preAuthentication = new[] { EncryptedTimestamp(key) };
        var reply = await ExchangeAsync(
                request, NewAsRequest(request, new[] { key.EncryptionType }, nonce, preAuthentication), ProbeAnswer.For(request, key, nonce), observation, clock, cancellationToken)
            .ConfigureAwait(false);
        if (reply is AsReply ticket)
        {
            var verdict = Verify(ticket, key, nonce, observation);
            if (verdict.Status == KdcHealthStatus.Healthy)
            {
                _hints.Remember(request.ClientPrincipal, announced);
            }

            return verdict;
        }

        var error = (KrbError)reply;
        return hinted && error.ErrorCode is KerberosErrorCode.PreAuthenticationFailed or KerberosErrorCode.EncryptionTypeNotSupported
            ? null
            : ClassifyError(request, error, observation);
    }

    /// <summary>The verdict for a KRB-ERROR, or null when the KDC asks for pre-authentication.</summary>
    private static (KdcHealthStatus Status, string Message)? ClassifyError(KdcProbeRequest request, KrbError error, ProbeObservation observation)
    {
        var code = error.ErrorCode;
        var name = KerberosErrorNames.Describe(error.RawErrorCode);
        var text = string.IsNullOrEmpty(error.ErrorText) ? name : $"{name} ({error.ErrorText})";
        if (code == KerberosErrorCode.ClockSkew || Math.Abs(observation.ClockSkewSeconds ?? 0) > MaximumClockSkew.TotalSeconds)
        {
            return (KdcHealthStatus.ClockSkew, $"The KDC's clock differs from ours by {observation.ClockSkewSeconds:0.###} s: {text}.");
        }

        if (code == KerberosErrorCode.ServiceUnavailable || error.ErrorText?.StartsWith(DatabaseLookupFailed, StringComparison.Ordinal) == true)
        {
            return (KdcHealthStatus.DatabaseUnavailable, $"The KDC answered but cannot read its database: {text}.");
        }

        switch (code)
        {
            case KerberosErrorCode.ClientPrincipalUnknown when !request.ClientIsExpectedToExist && request.Level == KdcProbeLevel.Reachable:
                return (KdcHealthStatus.Healthy, "The KDC looked the probe name up in its database and answered.");
            case KerberosErrorCode.ClientPrincipalUnknown:
                return (KdcHealthStatus.PrincipalUnknown, $"The KDC does not know {request.ClientPrincipal}: {text}.");
            case KerberosErrorCode.PreAuthenticationFailed:
                return (KdcHealthStatus.KeyMismatch, $"The KDC rejected our key for {request.ClientPrincipal} (wrong password or stale keytab, key version {observation.KeyVersion?.ToString() ?? "unknown"}): {text}.");
            case KerberosErrorCode.PreAuthenticationRequired:
                return null;
            default:
                return (KdcHealthStatus.KdcError, $"The KDC answered with an error: {text}.");
        }
    }

    private static (KdcHealthStatus Status, string Message) Verify(AsReply reply, ClientKey key, uint nonce, ProbeObservation observation)
    {
        observation.EncryptionType = reply.EncryptedPart.EncryptionType;
        observation.KeyVersion = reply.EncryptedPart.KeyVersion ?? key.KeyVersion;
        if (reply.EncryptedPart.EncryptionType != key.EncryptionType)
        {
            // Checked before any cryptography: the key of another type cannot even be fed to its cipher.
            return NotOffered(reply.EncryptedPart.EncryptionType, new[] { key.EncryptionType });
        }

        if (!KerberosEncryption.TryGet(reply.EncryptedPart.EncryptionType, out var encryption) || encryption is null)
        {
            return (KdcHealthStatus.ProtocolError, $"The KDC encrypted its reply with unsupported encryption type {reply.EncryptedPart.EncryptionType}.");
        }

        byte[] plaintext;
        try
        {
            plaintext = encryption.Decrypt(key.Key, ProbeAnswer.AsReplyEncryptedPartUsage, reply.EncryptedPart.Cipher);
        }
        catch (KerberosIntegrityException)
        {
            return (KdcHealthStatus.KeyMismatch, $"The KDC's reply does not decrypt with our {encryption.Name} key: the KDC holds a different key for {reply.ClientName}@{reply.ClientRealm}.");
        }

        var part = EncKdcReplyPart.Decode(plaintext);
        if (part.Nonce != nonce)
        {
            return (KdcHealthStatus.ProtocolError, $"The reply's nonce {part.Nonce} does not match the request's {nonce}: it is not an answer to this probe.");
        }

        observation.RecordTicket(part.AuthTime, DateTime.UtcNow);
        if (Math.Abs(observation.ClockSkewSeconds ?? 0) > MaximumClockSkew.TotalSeconds)
        {
            return (KdcHealthStatus.ClockSkew, $"The KDC issued a ticket, but its clock differs from ours by {observation.ClockSkewSeconds:0.###} s.");
        }

        return (KdcHealthStatus.Healthy, $"Authenticated with {encryption.Name}; the KDC holds the right key.");
    }

    /// <summary>
    /// RFC 4120 §3.1.3: the KDC encrypts the reply in a type the client listed. A reply in another type is not
    /// something a wrong key explains (that stays KeyMismatch), but a KDC that breaks the protocol, or a forgery.
    /// </summary>
    private static (KdcHealthStatus Status, string Message) NotOffered(int replyType, IReadOnlyList<int> offered) =>
        (KdcHealthStatus.ProtocolError,
         $"The KDC encrypted its reply with encryption type {Describe(replyType)}, which the probe did not offer (it offered {string.Join(", ", offered.Select(Describe))}).");

    private static string Describe(int encryptionType) =>
        KerberosEncryption.TryGet(encryptionType, out var encryption) && encryption is not null ? encryption.Name : encryptionType.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <remarks>
    /// Over UDP the transport hands back only a datagram <paramref name="checkReply"/> takes as the answer, having
    /// decoded (and, with a key, decrypted) it once already; decoding again here keeps one path for TCP and UDP at
    /// the cost of microseconds.
    /// </remarks>
    private async Task<KerberosReply> ExchangeAsync(
        KdcProbeRequest request, byte[] message, KdcReplyCheck checkReply, ProbeObservation observation, Stopwatch clock, CancellationToken cancellationToken)
    {
        var protocol = ProtocolFor(request, message);
        while (true)
        {
            var exchange = await SendAsync(request, message, protocol, checkReply, clock, cancellationToken).ConfigureAwait(false);
            var received = DateTime.UtcNow;
            observation.Address = exchange.RemoteEndPoint.Address.ToString();
            observation.Protocol = exchange.Protocol;
            observation.JunkReplies += exchange.JunkReplies;
            var reply = KerberosReply.Decode(exchange.Reply);
            if (reply is KrbError error)
            {
                observation.RecordError(error, received);
                if (error.ErrorCode == KerberosErrorCode.ResponseTooBig && request.Transport == KdcTransportProtocol.Auto && protocol == KdcTransportProtocol.Udp)
                {
                    _hints.RememberTcp(request.Endpoint.ToString());
                    protocol = KdcTransportProtocol.Tcp;
                    continue;
                }
            }

            return reply;
        }
    }

    /// <summary>
    /// MIT's udp_preference_limit: in Auto mode a request above 1465 bytes (one Ethernet frame) goes over TCP first,
    /// since a fragmented datagram is lost whenever one fragment is; so does any request to a KDC that lately said
    /// its reply would not fit (<see cref="ProbeHints"/>). Forced UDP always fits: the request's name caps keep an
    /// AS-REQ far below a datagram's 65,507 bytes.
    /// </summary>
    private KdcTransportProtocol ProtocolFor(KdcProbeRequest request, byte[] message) => request.Transport switch
    {
        KdcTransportProtocol.Auto => message.Length > UdpPreferenceLimit || _hints.NeedsTcp(request.Endpoint.ToString())
            ? KdcTransportProtocol.Tcp
            : KdcTransportProtocol.Udp,
        var forced => forced,
    };

    private Task<KdcExchange> SendAsync(
        KdcProbeRequest request, byte[] message, KdcTransportProtocol protocol, KdcReplyCheck checkReply, Stopwatch clock, CancellationToken cancellationToken)
    {
        var remaining = request.Timeout - clock.Elapsed;
        if (remaining <= TimeSpan.Zero)
        {
            remaining = TimeSpan.FromMilliseconds(1);
        }

        // TCP neither loses nor resends messages: its phases share the whole remaining budget.
        var attemptTimeout = protocol == KdcTransportProtocol.Tcp
            ? remaining
            : TimeSpan.FromTicks(Math.Max(MinimumAttemptTimeout.Ticks, request.Timeout.Ticks / UdpTriesPerDeadline));
        return _transport.SendAsync(request.Endpoint, message, protocol, attemptTimeout, remaining, checkReply, cancellationToken);
    }

    /// <summary>
    /// The key, within what is left of the deadline: string-to-key may take longer than the whole probe on a loaded
    /// host. A key whose length does not fit its type is no key: it could not encrypt the timestamp.
    /// </summary>
    /// <exception cref="TimeoutException">The deadline passed while the key was being derived.</exception>
    private static async Task<ClientKey?> KeyForAsync(
        KdcProbeRequest request, int encryptionType, ETypeInfo2Entry? announced, Stopwatch clock, CancellationToken cancellationToken)
    {
        if (request.KeySource is null)
        {
            return null;
        }

        var salt = announced?.Salt ?? request.Realm + string.Concat(request.Client.Components);
        var pending = request.KeySource.GetKeyAsync(encryptionType, salt, announced?.S2kParameters);
        if (!pending.IsCompleted)
        {
            var remaining = request.Timeout - clock.Elapsed;
            try
            {
                await pending.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Deriving the {Describe(encryptionType)} key from the password did not finish within the {request.Timeout.TotalMilliseconds} ms deadline.");
            }
        }

        var key = await pending.ConfigureAwait(false);
        return key is not null && KerberosEncryption.TryGet(key.EncryptionType, out var encryption) && encryption?.KeySize == key.Key.Length ? key : null;
    }

    private static IEnumerable<ETypeInfo2Entry> AnnouncedSalts(IEnumerable<PaData> preAuthentication) =>
        preAuthentication.Where(data => data.Type == PaDataType.ETypeInfo2).SelectMany(data => ETypeInfo2Entry.DecodeSequence(data.Value));

    private static PaData EncryptedTimestamp(ClientKey key)
    {
        var now = DateTime.UtcNow;
        var microseconds = (int)(now.Ticks % TimeSpan.TicksPerSecond / 10);
        var plaintext = PaEncTimestamp.Encode(now, microseconds);
        var cipher = KerberosEncryption.Get((EncryptionType)key.EncryptionType).Encrypt(key.Key, PaEncTimestampUsage, plaintext);
        var encrypted = new EncryptedData(key.EncryptionType, null, cipher);
        return new PaData(PaDataType.EncTimestamp, encrypted.Encode());
    }

    private static byte[] NewAsRequest(KdcProbeRequest request, IReadOnlyList<int> encryptionTypes, uint nonce, IReadOnlyList<PaData> preAuthentication) =>
        NewAsRequest(request.Client, request.Realm, encryptionTypes, nonce, preAuthentication);

    private static byte[] NewAsRequest(PrincipalName client, string realm, IReadOnlyList<int> encryptionTypes, uint nonce, IReadOnlyList<PaData> preAuthentication) =>
        new AsRequest
        {
            Client = client,
            Realm = realm,
            Nonce = nonce,
            EncryptionTypes = encryptionTypes,
            PreAuthentication = preAuthentication,
            Till = RequestedTill,
            KdcOptions = RenewableOk,
        }.Encode();

    /// <summary>A fresh 31-bit nonce: MIT silently drops requests whose nonce is 2^31 or more.</summary>
    private static uint NewNonce()
    {
        var bytes = new byte[4];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(bytes);
        }

        return BitConverter.ToUInt32(bytes, 0) & 0x7FFFFFFF;
    }
}
