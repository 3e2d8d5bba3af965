using System;
using KdcHa.Kerberos.Crypto;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Kerberos.Health;

/// <summary>What a probe has learned so far; a failure at any step still reports everything seen before it.</summary>
internal sealed class ProbeObservation
{
    private readonly KdcProbeRequest _request;
    private readonly DateTime _startedUtc = DateTime.UtcNow;

    public ProbeObservation(KdcProbeRequest request)
    {
        _request = request;
        Protocol = request.Transport == KdcTransportProtocol.Auto ? KdcTransportProtocol.Udp : request.Transport;
    }

    public string? Address { get; set; }

    public KdcTransportProtocol Protocol { get; set; }

    public KrbError? LastError { get; private set; }

    public int? EncryptionType { get; set; }

    public uint? KeyVersion { get; set; }

    public DateTime? ServerTime { get; private set; }

    public double? ClockSkewSeconds { get; private set; }

    public int JunkReplies { get; set; }

    private void RecordServerTime(DateTime serverTimeUtc, DateTime receivedUtc)
    {
        ServerTime = serverTimeUtc;
        ClockSkewSeconds = Math.Round((serverTimeUtc - receivedUtc).TotalSeconds, 3);
    }

    public void RecordError(KrbError error, DateTime receivedUtc)
    {
        LastError = error;
        RecordServerTime(error.ServerTime, receivedUtc);
    }

    /// <summary>A ticket was issued, so an earlier PREAUTH_REQUIRED no longer describes the outcome.</summary>
    public void RecordTicket(DateTime authTimeUtc, DateTime receivedUtc)
    {
        LastError = null;

        // A KRB-ERROR's stime carries microseconds, authtime only whole seconds: keep the finer measurement.
        if (ServerTime is null)
        {
            RecordServerTime(authTimeUtc, receivedUtc);
        }
    }

    public KdcHealthResult ToResult(KdcHealthStatus status, TimeSpan elapsed, string message) => new()
    {
        Kdc = _request.Endpoint.ToString(),
        KdcSource = _request.Source.ToString(),
        Address = Address,
        Transport = Protocol.ToString(),
        Realm = _request.Realm,
        Principal = _request.ClientPrincipal,
        Level = _request.Level.ToString(),
        Verdict = status,
        RoundTripMilliseconds = Math.Round(elapsed.TotalMilliseconds, 3),
        ErrorCode = LastError?.RawErrorCode,
        ErrorName = LastError is null ? null : KdcHa.Kerberos.KerberosErrorNames.Describe(LastError.RawErrorCode),
        EncryptionType = EncryptionType is { } type && KerberosEncryption.TryGet(type, out var encryption) && encryption is not null ? encryption.Name : EncryptionType?.ToString(),
        KeyVersion = KeyVersion,
        ServerTime = ServerTime,
        ClockSkewSeconds = ClockSkewSeconds,
        JunkReplies = JunkReplies,
        Message = message,
        Timestamp = _startedUtc,
    };
}
