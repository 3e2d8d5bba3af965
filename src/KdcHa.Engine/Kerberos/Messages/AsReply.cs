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
        var sawVersion = false;
        var sawMessageType = false;

        reader.ReadApplicationSequence(ApplicationTag.AsReply).ReadFields((tag, field) =>
        {
            switch (tag)
            {
                case 0:
                    field.ExpectInteger(ApplicationTag.ProtocolVersion, "pvno");
                    sawVersion = true;
                    return true;
                case 1:
                    field.ExpectInteger(MessageType, "msg-type");
                    sawMessageType = true;
                    return true;
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

        if (!sawVersion || !sawMessageType)
        {
            throw new KerberosProtocolException("AS-REP lacks pvno or msg-type.");
        }

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
