using System;
using System.Linq;
using System.Numerics;
using System.Text;

namespace KdcHa.Tests.Kerberos.Messages;

/// <summary>
/// Hand-rolled DER TLV builder, deliberately independent of System.Formats.Asn1 and of the engine's writer, so
/// decoder tests do not check the engine against itself.
/// </summary>
internal static class Der
{
    public static byte[] Tlv(byte tag, params byte[][] contents)
    {
        var body = contents.SelectMany(c => c).ToArray();
        return new[] { tag }.Concat(Length(body.Length)).Concat(body).ToArray();
    }

    public static byte[] Sequence(params byte[][] elements) => Tlv(0x30, elements);

    public static byte[] Explicit(int tagNumber, byte[] inner) => Tlv((byte)(0xA0 + tagNumber), inner);

    public static byte[] Application(int tagNumber, params byte[][] fields) => Tlv((byte)(0x60 + tagNumber), Sequence(fields));

    public static byte[] Integer(long value) => Tlv(0x02, new BigInteger(value).ToByteArray(isUnsigned: false, isBigEndian: true));

    public static byte[] GeneralString(string value) => Tlv(0x1B, Encoding.UTF8.GetBytes(value));

    public static byte[] OctetString(byte[] value) => Tlv(0x04, value);

    public static byte[] Time(string generalizedTime) => Tlv(0x18, Encoding.ASCII.GetBytes(generalizedTime));

    public static byte[] Flags(uint flags) => Tlv(0x03, new byte[] { 0, (byte)(flags >> 24), (byte)(flags >> 16), (byte)(flags >> 8), (byte)flags });

    public static byte[] Principal(int nameType, params string[] components) =>
        Sequence(Explicit(0, Integer(nameType)), Explicit(1, Sequence(components.Select(GeneralString).ToArray())));

    public static byte[] PaData(int type, byte[] value) => Sequence(Explicit(1, Integer(type)), Explicit(2, OctetString(value)));

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static byte[] Length(int length) => length switch
    {
        < 0x80 => new[] { (byte)length },
        <= 0xFF => new byte[] { 0x81, (byte)length },
        _ => new byte[] { 0x82, (byte)(length >> 8), (byte)length },
    };
}
