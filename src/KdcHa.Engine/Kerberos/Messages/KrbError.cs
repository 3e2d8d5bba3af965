using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;

namespace KdcHa.Kerberos.Messages;

/// <summary>
/// RFC 4120 §5.9.1 KRB-ERROR. It is unauthenticated: use it to classify a KDC's answer, never to set clocks or
/// make security decisions (§5.9).
/// </summary>
public sealed class KrbError : KerberosReply
{
    private const int MessageType = 30;
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    private KrbError()
    {
    }

    /// <summary>Any numeric code, including ones <see cref="KerberosErrorCode"/> does not name.</summary>
    public KerberosErrorCode ErrorCode => (KerberosErrorCode)RawErrorCode;

    public int RawErrorCode { get; private set; }

    /// <summary>stime + susec, UTC.</summary>
    public DateTime ServerTime { get; private set; }

    /// <summary>ctime + cusec, UTC; MIT omits it.</summary>
    public DateTime? ClientTime { get; private set; }

    public string? ClientRealm { get; private set; }

    public PrincipalName? ClientName { get; private set; }

    public string Realm { get; private set; } = string.Empty;

    /// <summary>Required by RFC 4120 but tolerated when missing: the error code matters more than a strict parse.</summary>
    public PrincipalName? ServerName { get; private set; }

    public string? ErrorText { get; private set; }

    public byte[]? ErrorData { get; private set; }

    /// <summary>e-data decoded as METHOD-DATA; empty when e-data is absent or is something else (e.g. TYPED-DATA).</summary>
    public IReadOnlyList<PaData> MethodData { get; private set; } = Array.Empty<PaData>();

    /// <summary>Entries of the PA-ETYPE-INFO2 in <see cref="MethodData"/>; empty when there is none or it is malformed.</summary>
    public IReadOnlyList<ETypeInfo2Entry> ETypeInfo2 { get; private set; } = Array.Empty<ETypeInfo2Entry>();

    internal static KrbError ReadFrom(AsnReader reader)
    {
        var error = new KrbError();
        DateTime? clientTime = null;
        int? clientMicroseconds = null;
        DateTime? serverTime = null;
        int? serverMicroseconds = null;
        int? errorCode = null;
        string? realm = null;
        var header = new MessageHeaderFields(MessageType, "KRB-ERROR");

        reader.ReadApplicationSequence(ApplicationTag.KrbError).ReadFields((tag, field) =>
        {
            if (header.TryRead(tag, field))
            {
                return true;
            }

            switch (tag)
            {
                case 2:
                    clientTime = field.ReadKerberosTime();
                    return true;
                case 3:
                    clientMicroseconds = ReadMicroseconds(field);
                    return true;
                case 4:
                    serverTime = field.ReadKerberosTime();
                    return true;
                case 5:
                    serverMicroseconds = ReadMicroseconds(field);
                    return true;
                case 6:
                    errorCode = field.ReadInt32Value();
                    return true;
                case 7:
                    error.ClientRealm = field.ReadKerberosString();
                    return true;
                case 8:
                    error.ClientName = PrincipalName.ReadFrom(field);
                    return true;
                case 9:
                    realm = field.ReadKerberosString();
                    return true;
                case 10:
                    error.ServerName = PrincipalName.ReadFrom(field);
                    return true;
                case 11:
                    error.ErrorText = field.ReadKerberosString();
                    return true;
                case 12:
                    error.ErrorData = field.ReadOctetString();
                    return true;
                default:
                    return false;
            }
        });

        header.EnsureComplete();

        error.RawErrorCode = KerberosAsnReader.RequiredValue(errorCode, "error-code");
        error.Realm = KerberosAsnReader.Required(realm, "realm");
        error.ServerTime = KerberosAsnReader.RequiredValue(serverTime, "stime")
            .AddTicks(KerberosAsnReader.RequiredValue(serverMicroseconds, "susec") * TicksPerMicrosecond);
        error.ClientTime = clientTime?.AddTicks((clientMicroseconds ?? 0) * TicksPerMicrosecond);
        error.MethodData = TryDecodeMethodData(error.ErrorData);
        error.ETypeInfo2 = TryDecodeETypeInfo2(error.MethodData);
        return error;
    }

    private static int ReadMicroseconds(AsnReader field)
    {
        var microseconds = field.ReadInt32Value();
        return microseconds is >= 0 and <= PaEncTimestamp.MaxMicroseconds
            ? microseconds
            : throw new KerberosProtocolException($"Microseconds value {microseconds} is out of range.");
    }

    // e-data is implementation-defined outside error 25 (TYPED-DATA, KERB-ERROR-DATA, ...), so failing to read it
    // as METHOD-DATA only means there is no METHOD-DATA: the error code must still reach the caller.
    private static IReadOnlyList<PaData> TryDecodeMethodData(byte[]? errorData)
    {
        if (errorData is null)
        {
            return Array.Empty<PaData>();
        }

        try
        {
            return PaData.DecodeMethodData(errorData);
        }
        catch (KerberosProtocolException)
        {
            return Array.Empty<PaData>();
        }
    }

    private static IReadOnlyList<ETypeInfo2Entry> TryDecodeETypeInfo2(IReadOnlyList<PaData> methodData)
    {
        var element = methodData.FirstOrDefault(p => p.Type == PaDataType.ETypeInfo2);
        if (element is null)
        {
            return Array.Empty<ETypeInfo2Entry>();
        }

        try
        {
            return ETypeInfo2Entry.DecodeSequence(element.Value);
        }
        catch (KerberosProtocolException)
        {
            return Array.Empty<ETypeInfo2Entry>();
        }
    }
}

/// <summary>
/// KRB-ERROR codes (RFC 4120 §7.5.9, 90–93 from RFC 6113) an AS exchange can produce. Codes not listed are still
/// carried as their numeric value; see <see cref="KrbError.RawErrorCode"/>.
/// </summary>
public enum KerberosErrorCode
{
    None = 0,
    NameExpired = 1,
    ServiceExpired = 2,
    BadProtocolVersion = 3,
    ClientPrincipalUnknown = 6,
    ServerPrincipalUnknown = 7,
    PrincipalNotUnique = 8,
    NullKey = 9,
    Policy = 12,
    BadOption = 13,
    EncryptionTypeNotSupported = 14,
    PaDataTypeNotSupported = 16,
    ClientRevoked = 18,
    ServiceRevoked = 19,
    ClientNotYetValid = 21,
    ServiceNotYetValid = 22,
    KeyExpired = 23,
    PreAuthenticationFailed = 24,
    PreAuthenticationRequired = 25,
    ServiceUnavailable = 29,
    BadIntegrity = 31,
    ClockSkew = 37,
    ResponseTooBig = 52,
    Generic = 60,
    FieldTooLong = 61,
    WrongRealm = 68,
    PreAuthExpired = 90,
    MorePreAuthDataRequired = 91,
    PreAuthBadAuthenticationSet = 92,
    UnknownCriticalFastOptions = 93,
}
