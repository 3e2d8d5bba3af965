using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Text;

namespace KdcHa.Kerberos.Messages;

/// <summary>
/// Reading side of the RFC 4120 encoding conventions, written for hostile input: every failure surfaces as
/// <see cref="KerberosProtocolException"/>, SEQUENCE OF element counts are capped and nothing is allocated from a
/// length field (AsnReader slices the input it was given).
/// </summary>
internal static class KerberosAsnReader
{
    public const int MaxPaDataElements = 64;
    public const int MaxNameComponents = 16;
    public const int MaxETypeInfo2Entries = 64;

    private static readonly Asn1Tag GeneralStringTag = new(UniversalTagNumber.GeneralString);

    /// <summary>
    /// Runs <paramref name="decode"/> over a complete DER message and converts every decoding failure into a
    /// <see cref="KerberosProtocolException"/>; trailing bytes after the message are malformed input too.
    /// </summary>
    public static T Decode<T>(ReadOnlyMemory<byte> encoded, string what, Func<AsnReader, T> decode)
    {
        try
        {
            var reader = new AsnReader(encoded, AsnEncodingRules.DER);
            var result = decode(reader);
            reader.ThrowIfNotEmpty();
            return result;
        }
        catch (Exception ex) when (ex is AsnContentException or ArgumentException or OverflowException or FormatException)
        {
            throw new KerberosProtocolException($"Malformed {what}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads <c>[APPLICATION n] SEQUENCE { ... }</c> and returns a reader over the SEQUENCE contents.</summary>
    public static AsnReader ReadApplicationSequence(this AsnReader reader, int tagNumber)
    {
        var application = reader.ReadSequence(new Asn1Tag(TagClass.Application, tagNumber, isConstructed: true));
        var sequence = application.ReadSequence();
        application.ThrowIfNotEmpty();
        return sequence;
    }

    /// <summary>
    /// Walks a SEQUENCE of EXPLICIT context-tagged fields. <paramref name="readField"/> consumes the inner value
    /// of the fields it knows and returns false for the rest, which are skipped (RFC 4120 §5.1.4–5). Tags must
    /// ascend strictly, as DER requires, so a repeated field cannot silently overwrite an earlier one.
    /// </summary>
    public static void ReadFields(this AsnReader sequence, Func<int, AsnReader, bool> readField)
    {
        var previousTag = -1;
        while (sequence.HasData)
        {
            var tag = sequence.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific || !tag.IsConstructed)
            {
                throw new KerberosProtocolException($"Expected an explicit context tag, found {tag}.");
            }

            if (tag.TagValue <= previousTag)
            {
                throw new KerberosProtocolException($"Field [{tag.TagValue}] is repeated or out of order.");
            }

            previousTag = tag.TagValue;
            var field = sequence.ReadSequence(tag);
            if (readField(tag.TagValue, field))
            {
                field.ThrowIfNotEmpty();
            }
        }
    }

    public static List<T> ReadSequenceOf<T>(this AsnReader reader, int maxElements, string what, Func<AsnReader, T> readElement)
    {
        var sequence = reader.ReadSequence();
        var elements = new List<T>();
        while (sequence.HasData)
        {
            if (elements.Count == maxElements)
            {
                throw new KerberosProtocolException($"More than {maxElements} {what} elements.");
            }

            elements.Add(readElement(sequence));
        }

        return elements;
    }

    public static int ReadInt32Value(this AsnReader reader) =>
        reader.TryReadInt32(out var value) ? value : throw new KerberosProtocolException("Integer does not fit Int32.");

    /// <summary>
    /// Accepts a negative Int32 as its two's-complement UInt32: some implementations encode large kvnos and nonces
    /// as signed 32-bit values, and rejecting them would misreport a working KDC.
    /// </summary>
    public static uint ReadUInt32Value(this AsnReader reader)
    {
        if (reader.TryReadUInt32(out var unsigned))
        {
            return unsigned;
        }

        return reader.TryReadInt32(out var signed)
            ? unchecked((uint)signed)
            : throw new KerberosProtocolException("Integer does not fit UInt32.");
    }

    /// <summary>Received KerberosStrings are treated as UTF-8; invalid sequences become U+FFFD instead of failing.</summary>
    public static string ReadKerberosString(this AsnReader reader)
    {
        if (!reader.TryReadPrimitiveCharacterStringBytes(GeneralStringTag, out var contents))
        {
            throw new KerberosProtocolException("Constructed GeneralString is not valid DER.");
        }

        return Encoding.UTF8.GetString(contents.ToArray());
    }

    public static DateTime ReadKerberosTime(this AsnReader reader) => reader.ReadGeneralizedTime().UtcDateTime;

    /// <summary>Bit 0 is the most significant bit; fewer than 32 bits are accepted (RFC 4120 §5.2.8), extra bits ignored.</summary>
    public static uint ReadKerberosFlags(this AsnReader reader)
    {
        var bits = reader.ReadBitString(out _);
        uint flags = 0;
        for (var i = 0; i < 4; i++)
        {
            flags = (flags << 8) | (i < bits.Length ? bits[i] : 0u);
        }

        return flags;
    }

    public static T Required<T>(T? value, string field)
        where T : class =>
        value ?? throw new KerberosProtocolException($"Required field {field} is missing.");

    public static T RequiredValue<T>(T? value, string field)
        where T : struct =>
        value ?? throw new KerberosProtocolException($"Required field {field} is missing.");

    /// <summary>
    /// A SEQUENCE of one INTEGER and one OCTET STRING under the given tags, both required: the shape of
    /// EncryptionKey and of PA-DATA.
    /// </summary>
    internal static (int Number, byte[] Octets) ReadNumberAndOctets(this AsnReader reader, int numberTag, string numberField, int octetsTag, string octetsField)
    {
        int? number = null;
        byte[]? octets = null;
        reader.ReadSequence().ReadFields((tag, field) =>
        {
            if (tag == numberTag)
            {
                number = field.ReadInt32Value();
                return true;
            }

            if (tag == octetsTag)
            {
                octets = field.ReadOctetString();
                return true;
            }

            return false;
        });

        return (RequiredValue(number, numberField), Required(octets, octetsField));
    }

    public static void ExpectInteger(this AsnReader reader, int expected, string field)
    {
        var actual = reader.ReadInt32Value();
        if (actual != expected)
        {
            throw new KerberosProtocolException($"{field} is {actual}, expected {expected}.");
        }
    }
}

/// <summary>
/// pvno [0] and msg-type [1], which open every KDC reply: checked as they come, and required once every field of the
/// message has been read.
/// </summary>
internal sealed class MessageHeaderFields
{
    private readonly int _messageType;
    private readonly string _messageName;
    private bool _sawVersion;
    private bool _sawMessageType;

    public MessageHeaderFields(int messageType, string messageName)
    {
        _messageType = messageType;
        _messageName = messageName;
    }

    /// <summary>True when <paramref name="tag"/> is pvno or msg-type, which has then been read and checked.</summary>
    public bool TryRead(int tag, AsnReader field)
    {
        switch (tag)
        {
            case 0:
                field.ExpectInteger(ApplicationTag.ProtocolVersion, "pvno");
                _sawVersion = true;
                return true;
            case 1:
                field.ExpectInteger(_messageType, "msg-type");
                _sawMessageType = true;
                return true;
            default:
                return false;
        }
    }

    /// <exception cref="KerberosProtocolException">pvno or msg-type was missing.</exception>
    public void EnsureComplete()
    {
        if (!_sawVersion || !_sawMessageType)
        {
            throw new KerberosProtocolException($"{_messageName} lacks pvno or msg-type.");
        }
    }
}

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

/// <summary>RFC 4120 §5.10 application tag numbers of the messages this client sends or reads.</summary>
internal static class ApplicationTag
{
    public const int Ticket = 1;
    public const int AsRequest = 10;
    public const int AsReply = 11;
    public const int EncAsReplyPart = 25;
    public const int EncTgsReplyPart = 26;
    public const int KrbError = 30;

    public const int ProtocolVersion = 5;
}
