using System;
using System.Collections.Generic;
using System.Formats.Asn1;

namespace KdcHa.Kerberos.Messages;

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
