using System;
using System.Formats.Asn1;
using System.Text;

namespace KdcHa.Kerberos.Messages;

/// <summary>
/// Writing side of the RFC 4120 encoding conventions: every field is an EXPLICIT context tag wrapping a
/// complete universal TLV, strings are GeneralString and times are second-precision GeneralizedTime.
/// </summary>
internal static class KerberosAsnWriter
{
    private const byte GeneralStringTag = 0x1B;

    public static AsnWriter CreateWriter() => new(AsnEncodingRules.DER);

    public static AsnWriter.Scope PushExplicit(this AsnWriter writer, int tagNumber) =>
        writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, tagNumber, isConstructed: true));

    public static AsnWriter.Scope PushApplication(this AsnWriter writer, int tagNumber) =>
        writer.PushSequence(new Asn1Tag(TagClass.Application, tagNumber, isConstructed: true));

    public static void WriteExplicitInteger(this AsnWriter writer, int tagNumber, long value)
    {
        using (writer.PushExplicit(tagNumber))
        {
            writer.WriteInteger(value);
        }
    }

    public static void WriteExplicitOctetString(this AsnWriter writer, int tagNumber, byte[] value)
    {
        using (writer.PushExplicit(tagNumber))
        {
            writer.WriteOctetString(value);
        }
    }

    public static void WriteExplicitKerberosString(this AsnWriter writer, int tagNumber, string value)
    {
        using (writer.PushExplicit(tagNumber))
        {
            writer.WriteKerberosString(value);
        }
    }

    public static void WriteExplicitKerberosTime(this AsnWriter writer, int tagNumber, DateTime time)
    {
        using (writer.PushExplicit(tagNumber))
        {
            // RFC 4120 §5.2.3 forbids fractional seconds; AsnWriter writes milliseconds unless told not to.
            writer.WriteGeneralizedTime(new DateTimeOffset(ToUtc(time), TimeSpan.Zero), omitFractionalSeconds: true);
        }
    }

    /// <summary>KerberosFlags are sent as exactly 32 bits (RFC 4120 §5.2.8), bit 0 being the most significant.</summary>
    public static void WriteExplicitKerberosFlags(this AsnWriter writer, int tagNumber, uint flags)
    {
        using (writer.PushExplicit(tagNumber))
        {
            writer.WriteBitString(new[] { (byte)(flags >> 24), (byte)(flags >> 16), (byte)(flags >> 8), (byte)flags });
        }
    }

    /// <summary>
    /// System.Formats.Asn1 refuses the GeneralString tag in every string and octet-string writer, so the TLV is
    /// assembled here. UTF-8 rather than strict ASCII: Windows KDCs use UTF-8 for non-ASCII names and ASCII is a subset.
    /// </summary>
    public static void WriteKerberosString(this AsnWriter writer, string value)
    {
        var contents = Encoding.UTF8.GetBytes(value);
        var length = EncodeDerLength(contents.Length);
        var tlv = new byte[1 + length.Length + contents.Length];
        tlv[0] = GeneralStringTag;
        length.CopyTo(tlv, 1);
        contents.CopyTo(tlv, 1 + length.Length);
        writer.WriteEncodedValue(tlv);
    }

    public static DateTime ToUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };

    private static byte[] EncodeDerLength(int length)
    {
        if (length < 0x80)
        {
            return new[] { (byte)length };
        }

        var significantBytes = length > 0xFFFFFF ? 4 : length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
        var encoded = new byte[1 + significantBytes];
        encoded[0] = (byte)(0x80 | significantBytes);
        for (var i = 0; i < significantBytes; i++)
        {
            encoded[significantBytes - i] = (byte)(length >> (8 * i));
        }

        return encoded;
    }
}
