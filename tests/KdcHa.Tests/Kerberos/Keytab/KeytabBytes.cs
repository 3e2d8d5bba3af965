using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace KdcHa.Tests.Kerberos.Keytabs;

/// <summary>Builds keytab files by hand, for layouts ktutil does not produce (0x0501, holes, corrupt records).</summary>
internal static class KeytabBytes
{
    public static byte[] File(byte version, params byte[][] records) =>
        new byte[] { 0x05, version }.Concat(records.SelectMany(r => r)).ToArray();

    /// <summary>A size-prefixed 0x0502 entry (big-endian, name type, optional 32-bit kvno).</summary>
    public static byte[] EntryV2(string realm, string[] components, uint kvno, int etype, byte[] key, bool withKvno32 = true) =>
        Record(bigEndian: true, Body(bigEndian: true, realm, components, (ushort)components.Length, nameType: 1, kvno, etype, key, withKvno32));

    /// <summary>A size-prefixed 0x0501 entry: host byte order, count includes the realm, no name type.</summary>
    public static byte[] EntryV1(string realm, string[] components, byte kvno, int etype, byte[] key) =>
        Record(BitConverter.IsLittleEndian is false, Body(BitConverter.IsLittleEndian is false, realm, components, (ushort)(components.Length + 1), nameType: null, kvno, etype, key, withKvno32: false));

    /// <summary>What MIT leaves after removing an entry: a negative size and that many zero bytes.</summary>
    public static byte[] Hole(int size) => Int32BigEndian(-size).Concat(new byte[size]).ToArray();

    public static byte[] Int32BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Record(bool bigEndian, byte[] body) => Number(bigEndian, body.Length, 4).Concat(body).ToArray();

    private static byte[] Body(bool bigEndian, string realm, string[] components, ushort count, int? nameType, uint kvno, int etype, byte[] key, bool withKvno32)
    {
        var body = new List<byte>();
        body.AddRange(Number(bigEndian, count, 2));
        foreach (var text in components.Prepend(realm))
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            body.AddRange(Number(bigEndian, bytes.Length, 2));
            body.AddRange(bytes);
        }

        if (nameType is { } type)
        {
            body.AddRange(Number(bigEndian, type, 4));
        }

        body.AddRange(Number(bigEndian, 1_700_000_000, 4));
        body.Add((byte)kvno);
        body.AddRange(Number(bigEndian, etype, 2));
        body.AddRange(Number(bigEndian, key.Length, 2));
        body.AddRange(key);
        if (withKvno32)
        {
            body.AddRange(Number(bigEndian, (long)kvno, 4));
        }

        return body.ToArray();
    }

    private static byte[] Number(bool bigEndian, long value, int width)
    {
        var bytes = new byte[width];
        for (var i = 0; i < width; i++)
        {
            bytes[bigEndian ? width - 1 - i : i] = (byte)(value >> (8 * i));
        }

        return bytes;
    }
}
