using System;
using System.Collections.Generic;
using System.Formats.Asn1;

namespace KdcHa.Kerberos.Messages;

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
        int? type = null;
        byte[]? value = null;
        reader.ReadSequence().ReadFields((tag, field) =>
        {
            switch (tag)
            {
                case 1:
                    type = field.ReadInt32Value();
                    return true;
                case 2:
                    value = field.ReadOctetString();
                    return true;
                default:
                    return false;
            }
        });

        return new PaData(KerberosAsnReader.RequiredValue(type, "padata-type"), KerberosAsnReader.Required(value, "padata-value"));
    }
}
