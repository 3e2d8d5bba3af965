using System;
using System.Collections.Generic;
using System.Formats.Asn1;

namespace KdcHa.Kerberos.Messages;

/// <summary>RFC 4120 §5.4.2 AS-REP. The ticket is kept encoded: a client never looks inside it.</summary>
public sealed class AsReply : KerberosReply
{
    private const int MessageType = 11;

    private AsReply(string clientRealm, PrincipalName clientName, IReadOnlyList<PaData> preAuthentication, byte[] ticket, EncryptedData encryptedPart)
    {
        ClientRealm = clientRealm;
        ClientName = clientName;
        PreAuthentication = preAuthentication;
        Ticket = ticket;
        EncryptedPart = encryptedPart;
    }

    public string ClientRealm { get; }

    public PrincipalName ClientName { get; }

    public IReadOnlyList<PaData> PreAuthentication { get; }

    /// <summary>The complete DER encoding of the [APPLICATION 1] Ticket.</summary>
    public byte[] Ticket { get; }

    /// <summary>Encrypted with the client key, key usage 3; decodes to an <see cref="EncKdcReplyPart"/>.</summary>
    public EncryptedData EncryptedPart { get; }

    internal static AsReply ReadFrom(AsnReader reader)
    {
        var preAuthentication = (IReadOnlyList<PaData>)Array.Empty<PaData>();
        string? clientRealm = null;
        PrincipalName? clientName = null;
        byte[]? ticket = null;
        EncryptedData? encryptedPart = null;
        var header = new MessageHeaderFields(MessageType, "AS-REP");

        reader.ReadApplicationSequence(ApplicationTag.AsReply).ReadFields((tag, field) =>
        {
            if (header.TryRead(tag, field))
            {
                return true;
            }

            switch (tag)
            {
                case 2:
                    preAuthentication = PaData.ReadSequenceOf(field);
                    return true;
                case 3:
                    clientRealm = field.ReadKerberosString();
                    return true;
                case 4:
                    clientName = PrincipalName.ReadFrom(field);
                    return true;
                case 5:
                    ticket = ReadTicket(field);
                    return true;
                case 6:
                    encryptedPart = EncryptedData.ReadFrom(field);
                    return true;
                default:
                    return false;
            }
        });

        header.EnsureComplete();

        return new AsReply(
            KerberosAsnReader.Required(clientRealm, "crealm"),
            KerberosAsnReader.Required(clientName, "cname"),
            preAuthentication,
            KerberosAsnReader.Required(ticket, "ticket"),
            KerberosAsnReader.Required(encryptedPart, "enc-part"));
    }

    private static byte[] ReadTicket(AsnReader field)
    {
        var expected = new Asn1Tag(TagClass.Application, ApplicationTag.Ticket, isConstructed: true);
        var tag = field.PeekTag();
        if (tag != expected)
        {
            throw new KerberosProtocolException($"Ticket has tag {tag}, expected {expected}.");
        }

        return field.ReadEncodedValue().ToArray();
    }
}

/// <summary>What a KDC can answer to an AS-REQ: an <see cref="AsReply"/> or a <see cref="KrbError"/>.</summary>
public abstract class KerberosReply
{
    private const byte AsReplyTag = 0x6B;
    private const byte KrbErrorTag = 0x7E;

    private protected KerberosReply()
    {
    }

    /// <summary>Classifies the reply by its first octet and decodes it; anything malformed is a <see cref="KerberosProtocolException"/>.</summary>
    public static KerberosReply Decode(ReadOnlyMemory<byte> reply)
    {
        if (reply.IsEmpty)
        {
            throw new KerberosProtocolException("Empty reply.");
        }

        return reply.Span[0] switch
        {
            AsReplyTag => KerberosAsnReader.Decode(reply, "AS-REP", AsReply.ReadFrom),
            KrbErrorTag => KerberosAsnReader.Decode(reply, "KRB-ERROR", KrbError.ReadFrom),
            var other => throw new KerberosProtocolException($"Reply starts with 0x{other:X2}, neither AS-REP (0x6B) nor KRB-ERROR (0x7E)."),
        };
    }
}

/// <summary>
/// RFC 4120 §5.4.2 EncKDCRepPart, the decrypted enc-part of an AS-REP. Both [APPLICATION 25] (EncASRepPart) and
/// [APPLICATION 26] (EncTGSRepPart) are accepted: the RFC allows either and MIT 1.20 sends 26 in AS-REPs.
/// last-req and caddr are not surfaced.
/// </summary>
public sealed class EncKdcReplyPart
{
    private EncKdcReplyPart()
    {
    }

    public EncryptionKey Key { get; private set; } = null!;

    public uint Nonce { get; private set; }

    public DateTime? KeyExpiration { get; private set; }

    public uint Flags { get; private set; }

    public DateTime AuthTime { get; private set; }

    public DateTime? StartTime { get; private set; }

    public DateTime EndTime { get; private set; }

    public DateTime? RenewTill { get; private set; }

    public string ServerRealm { get; private set; } = null!;

    public PrincipalName ServerName { get; private set; } = null!;

    public static EncKdcReplyPart Decode(ReadOnlyMemory<byte> encoded) =>
        KerberosAsnReader.Decode(encoded, "EncKDCRepPart", ReadFrom);

    private static EncKdcReplyPart ReadFrom(AsnReader reader)
    {
        var part = new EncKdcReplyPart();
        EncryptionKey? key = null;
        uint? nonce = null;
        uint? flags = null;
        DateTime? authTime = null;
        DateTime? endTime = null;
        string? serverRealm = null;
        PrincipalName? serverName = null;

        ReadApplicationSequence(reader).ReadFields((tag, field) =>
        {
            switch (tag)
            {
                case 0:
                    key = EncryptionKey.ReadFrom(field);
                    return true;
                case 2:
                    nonce = field.ReadUInt32Value();
                    return true;
                case 3:
                    part.KeyExpiration = field.ReadKerberosTime();
                    return true;
                case 4:
                    flags = field.ReadKerberosFlags();
                    return true;
                case 5:
                    authTime = field.ReadKerberosTime();
                    return true;
                case 6:
                    part.StartTime = field.ReadKerberosTime();
                    return true;
                case 7:
                    endTime = field.ReadKerberosTime();
                    return true;
                case 8:
                    part.RenewTill = field.ReadKerberosTime();
                    return true;
                case 9:
                    serverRealm = field.ReadKerberosString();
                    return true;
                case 10:
                    serverName = PrincipalName.ReadFrom(field);
                    return true;
                default:
                    return false;
            }
        });

        part.Key = KerberosAsnReader.Required(key, "key");
        part.Nonce = KerberosAsnReader.RequiredValue(nonce, "nonce");
        part.Flags = KerberosAsnReader.RequiredValue(flags, "flags");
        part.AuthTime = KerberosAsnReader.RequiredValue(authTime, "authtime");
        part.EndTime = KerberosAsnReader.RequiredValue(endTime, "endtime");
        part.ServerRealm = KerberosAsnReader.Required(serverRealm, "srealm");
        part.ServerName = KerberosAsnReader.Required(serverName, "sname");
        return part;
    }

    private static AsnReader ReadApplicationSequence(AsnReader reader)
    {
        var tag = reader.PeekTag();
        var isReplyPart = tag.TagClass == TagClass.Application
            && tag.TagValue is ApplicationTag.EncAsReplyPart or ApplicationTag.EncTgsReplyPart;
        if (!isReplyPart)
        {
            throw new KerberosProtocolException($"Expected [APPLICATION 25] or [APPLICATION 26], found {tag}.");
        }

        return reader.ReadApplicationSequence(tag.TagValue);
    }
}

/// <summary>RFC 4120 §5.2.9 EncryptedData: ciphertext with the etype and, optionally, the key version used.</summary>
public sealed class EncryptedData
{
    public EncryptedData()
    {
    }

    public EncryptedData(int encryptionType, uint? keyVersion, byte[] cipher)
    {
        EncryptionType = encryptionType;
        KeyVersion = keyVersion;
        Cipher = cipher ?? throw new ArgumentNullException(nameof(cipher));
    }

    public int EncryptionType { get; init; }

    public uint? KeyVersion { get; init; }

    public byte[] Cipher { get; init; } = Array.Empty<byte>();

    public byte[] Encode()
    {
        var writer = KerberosAsnWriter.CreateWriter();
        WriteTo(writer);
        return writer.Encode();
    }

    public static EncryptedData Decode(ReadOnlyMemory<byte> encoded) =>
        KerberosAsnReader.Decode(encoded, "EncryptedData", ReadFrom);

    internal void WriteTo(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteExplicitInteger(0, EncryptionType);
            if (KeyVersion is { } keyVersion)
            {
                writer.WriteExplicitInteger(1, keyVersion);
            }

            writer.WriteExplicitOctetString(2, Cipher);
        }
    }

    internal static EncryptedData ReadFrom(AsnReader reader)
    {
        int? encryptionType = null;
        uint? keyVersion = null;
        byte[]? cipher = null;
        reader.ReadSequence().ReadFields((tag, field) =>
        {
            switch (tag)
            {
                case 0:
                    encryptionType = field.ReadInt32Value();
                    return true;
                case 1:
                    keyVersion = field.ReadUInt32Value();
                    return true;
                case 2:
                    cipher = field.ReadOctetString();
                    return true;
                default:
                    return false;
            }
        });

        return new EncryptedData(
            KerberosAsnReader.RequiredValue(encryptionType, "etype"),
            keyVersion,
            KerberosAsnReader.Required(cipher, "cipher"));
    }
}

/// <summary>RFC 4120 §5.2.9 EncryptionKey: the session key the KDC returns inside the encrypted reply part.</summary>
public sealed class EncryptionKey
{
    public EncryptionKey()
    {
    }

    public EncryptionKey(int keyType, byte[] keyValue)
    {
        KeyType = keyType;
        KeyValue = keyValue ?? throw new ArgumentNullException(nameof(keyValue));
    }

    public int KeyType { get; init; }

    public byte[] KeyValue { get; init; } = Array.Empty<byte>();

    internal static EncryptionKey ReadFrom(AsnReader reader)
    {
        var (keyType, keyValue) = reader.ReadNumberAndOctets(0, "keytype", 1, "keyvalue");
        return new EncryptionKey(keyType, keyValue);
    }
}
