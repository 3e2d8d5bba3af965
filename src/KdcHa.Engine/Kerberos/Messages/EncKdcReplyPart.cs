using System;
using System.Formats.Asn1;

namespace KdcHa.Kerberos.Messages;

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
