using System;
using System.Collections.Generic;
using System.Formats.Asn1;

namespace KdcHa.Kerberos.Messages;

/// <summary>
/// RFC 4120 §5.4.1 AS-REQ for a TGT (server name krbtgt/REALM, no addresses). Nonce is a UInt32 on the wire,
/// but MIT 1.20 silently drops requests with a nonce ≥ 2^31, so callers should draw 31-bit nonces.
/// </summary>
public sealed class AsRequest
{
    private const int MessageType = 10;

    /// <summary>KDC option bit 27 (RFC 4120 §5.4.1), in the 32-bit big-endian numbering used by <see cref="KdcOptions"/>.</summary>
    public const uint RenewableOk = 0x00000010;

    public PrincipalName Client { get; init; } = null!;

    public string Realm { get; init; } = null!;

    public uint Nonce { get; init; }

    /// <summary>In preference order; the KDC uses the first one the principal has a key for.</summary>
    public IReadOnlyList<int> EncryptionTypes { get; init; } = Array.Empty<int>();

    /// <summary>Omitted from the encoding when empty (RFC 4120 §5.1.3).</summary>
    public IReadOnlyList<PaData> PreAuthentication { get; init; } = Array.Empty<PaData>();

    /// <summary>Requested ticket end time; 1970-01-01T00:00:00Z asks for the KDC maximum.</summary>
    public DateTime Till { get; init; }

    public uint KdcOptions { get; init; }

    public byte[] Encode()
    {
        if (Client is null || string.IsNullOrEmpty(Realm))
        {
            throw new InvalidOperationException("An AS-REQ needs a client and a realm.");
        }

        if (EncryptionTypes is null || EncryptionTypes.Count == 0)
        {
            throw new InvalidOperationException("An AS-REQ needs at least one encryption type.");
        }

        var writer = KerberosAsnWriter.CreateWriter();
        using (writer.PushApplication(ApplicationTag.AsRequest))
        using (writer.PushSequence())
        {
            writer.WriteExplicitInteger(1, ApplicationTag.ProtocolVersion);
            writer.WriteExplicitInteger(2, MessageType);
            if (PreAuthentication is { Count: > 0 })
            {
                using (writer.PushExplicit(3))
                {
                    PaData.WriteSequenceOf(writer, PreAuthentication);
                }
            }

            using (writer.PushExplicit(4))
            {
                WriteBody(writer);
            }
        }

        return writer.Encode();
    }

    private void WriteBody(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteExplicitKerberosFlags(0, KdcOptions);
            using (writer.PushExplicit(1))
            {
                Client.WriteTo(writer);
            }

            writer.WriteExplicitKerberosString(2, Realm);
            using (writer.PushExplicit(3))
            {
                PrincipalName.TicketGrantingServiceName(Realm).WriteTo(writer);
            }

            writer.WriteExplicitKerberosTime(5, Till);
            writer.WriteExplicitInteger(7, Nonce);
            using (writer.PushExplicit(8))
            using (writer.PushSequence())
            {
                foreach (var encryptionType in EncryptionTypes)
                {
                    writer.WriteInteger(encryptionType);
                }
            }
        }
    }
}

/// <summary>One PA-DATA element: a type number and its still-encoded value.</summary>
public sealed class PaData
{
    public PaData()
    {
    }

    public PaData(int type, byte[] value)
    {
        Type = type;
        Value = value ?? throw new ArgumentNullException(nameof(value));
    }

    public int Type { get; init; }

    public byte[] Value { get; init; } = Array.Empty<byte>();

    internal static void WriteSequenceOf(AsnWriter writer, IEnumerable<PaData> elements)
    {
        using (writer.PushSequence())
        {
            foreach (var element in elements)
            {
                using (writer.PushSequence())
                {
                    // PA-DATA numbers its fields from 1 (RFC 4120 §5.2.7).
                    writer.WriteExplicitInteger(1, element.Type);
                    writer.WriteExplicitOctetString(2, element.Value);
                }
            }
        }
    }

    internal static List<PaData> ReadSequenceOf(AsnReader reader) =>
        reader.ReadSequenceOf(KerberosAsnReader.MaxPaDataElements, "PA-DATA", ReadFrom);

    /// <summary>Decodes a standalone METHOD-DATA (SEQUENCE OF PA-DATA), as carried in KRB-ERROR e-data.</summary>
    internal static List<PaData> DecodeMethodData(ReadOnlyMemory<byte> encoded) =>
        KerberosAsnReader.Decode(encoded, "METHOD-DATA", ReadSequenceOf);

    private static PaData ReadFrom(AsnReader reader)
    {
        var (type, value) = reader.ReadNumberAndOctets(1, "padata-type", 2, "padata-value");
        return new PaData(type, value);
    }
}

/// <summary>PA-DATA type numbers (RFC 4120 §7.5.2, RFC 6113 §7.1).</summary>
public static class PaDataType
{
    public const int EncTimestamp = 2;
    public const int PwSalt = 3;
    public const int ETypeInfo = 11;
    public const int ETypeInfo2 = 19;
    public const int PacRequest = 128;
    public const int FxCookie = 133;
    public const int FxFast = 136;
    public const int FxError = 137;
    public const int EncryptedChallenge = 138;
}

/// <summary>RFC 4120 §5.2.7.2 PA-ENC-TS-ENC, the plaintext that PA-ENC-TIMESTAMP encrypts with key usage 1.</summary>
public static class PaEncTimestamp
{
    public const int MaxMicroseconds = 999_999;

    /// <summary>
    /// The timestamp is sent with whole-second precision; sub-second precision travels in
    /// <paramref name="microseconds"/>. Local times are converted, unspecified ones are taken as UTC.
    /// </summary>
    public static byte[] Encode(DateTime timestampUtc, int microseconds)
    {
        if (microseconds is < 0 or > MaxMicroseconds)
        {
            throw new ArgumentOutOfRangeException(nameof(microseconds), microseconds, "Microseconds must be 0..999999.");
        }

        var writer = KerberosAsnWriter.CreateWriter();
        using (writer.PushSequence())
        {
            writer.WriteExplicitKerberosTime(0, timestampUtc);
            writer.WriteExplicitInteger(1, microseconds);
        }

        return writer.Encode();
    }
}

/// <summary>
/// RFC 4120 §5.2.7.5 ETYPE-INFO2-ENTRY: how the KDC wants the client key derived. A null salt means the default
/// salt; null S2kParameters mean the etype's default iteration count.
/// </summary>
public sealed class ETypeInfo2Entry
{
    public ETypeInfo2Entry()
    {
    }

    public ETypeInfo2Entry(int encryptionType, string? salt, byte[]? s2kParameters)
    {
        EncryptionType = encryptionType;
        Salt = salt;
        S2kParameters = s2kParameters;
    }

    public int EncryptionType { get; init; }

    public string? Salt { get; init; }

    public byte[]? S2kParameters { get; init; }

    /// <summary>Decodes the value of a PA-ETYPE-INFO2 (SEQUENCE OF ETYPE-INFO2-ENTRY).</summary>
    internal static List<ETypeInfo2Entry> DecodeSequence(ReadOnlyMemory<byte> encoded) =>
        KerberosAsnReader.Decode(
            encoded,
            "ETYPE-INFO2",
            reader => reader.ReadSequenceOf(KerberosAsnReader.MaxETypeInfo2Entries, "ETYPE-INFO2", ReadFrom));

    private static ETypeInfo2Entry ReadFrom(AsnReader reader)
    {
        int? encryptionType = null;
        string? salt = null;
        byte[]? s2kParameters = null;
        reader.ReadSequence().ReadFields((tag, field) =>
        {
            switch (tag)
            {
                case 0:
                    encryptionType = field.ReadInt32Value();
                    return true;
                case 1:
                    salt = field.ReadKerberosString();
                    return true;
                case 2:
                    s2kParameters = field.ReadOctetString();
                    return true;
                default:
                    return false;
            }
        });

        return new ETypeInfo2Entry(KerberosAsnReader.RequiredValue(encryptionType, "etype"), salt, s2kParameters);
    }
}
