using System;

namespace KdcHa.Kerberos.Crypto;

/// <summary>Array slicing helpers that netstandard2.0 lacks (no ranges, no spans without a package).</summary>
internal static class ByteArrays
{
    public static byte[] Concat(params byte[][] parts)
    {
        var length = 0;
        foreach (var part in parts)
        {
            length += part.Length;
        }

        var result = new byte[length];
        var offset = 0;
        foreach (var part in parts)
        {
            Buffer.BlockCopy(part, 0, result, offset, part.Length);
            offset += part.Length;
        }

        return result;
    }

    public static byte[] Slice(byte[] source, int offset, int count)
    {
        var result = new byte[count];
        Buffer.BlockCopy(source, offset, result, 0, count);
        return result;
    }

    public static byte[] Slice(byte[] source, int offset) => Slice(source, offset, source.Length - offset);

    public static byte[] BigEndian(uint value) =>
        new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value };

    public static byte[] LittleEndian(uint value) =>
        new[] { (byte)value, (byte)(value >> 8), (byte)(value >> 16), (byte)(value >> 24) };

    /// <summary>
    /// Compares without an early exit so the time taken does not reveal how many leading MAC bytes matched.
    /// </summary>
    public static bool FixedTimeEquals(byte[] left, byte[] right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        var difference = 0;
        for (var i = 0; i < left.Length; i++)
        {
            difference |= left[i] ^ right[i];
        }

        return difference == 0;
    }
}
