using System;

namespace KdcHa.Kerberos.Crypto;

/// <summary>MD4 (RFC 1320), needed only for the RC4-HMAC string-to-key; .NET does not ship it.</summary>
internal static class Md4
{
    private static readonly int[] Round2Order = { 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15 };
    private static readonly int[] Round3Order = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 };
    private static readonly int[] Round1Shifts = { 3, 7, 11, 19 };
    private static readonly int[] Round2Shifts = { 3, 5, 9, 13 };
    private static readonly int[] Round3Shifts = { 3, 9, 11, 15 };

    public static byte[] Hash(byte[] message)
    {
        var state = new uint[] { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
        var padded = Pad(message);
        var words = new uint[16];
        for (var blockStart = 0; blockStart < padded.Length; blockStart += 64)
        {
            for (var i = 0; i < 16; i++)
            {
                words[i] = ReadLittleEndian(padded, blockStart + (i * 4));
            }

            ProcessBlock(state, words);
        }

        var digest = new byte[16];
        for (var i = 0; i < 4; i++)
        {
            Buffer.BlockCopy(ByteArrays.LittleEndian(state[i]), 0, digest, i * 4, 4);
        }

        return digest;
    }

    private static void ProcessBlock(uint[] state, uint[] x)
    {
        uint a = state[0], b = state[1], c = state[2], d = state[3];
        for (var step = 0; step < 48; step++)
        {
            var round = step / 16;
            var index = step % 16;
            var (mixed, word, shift) = round switch
            {
                0 => ((b & c) | (~b & d), x[index], Round1Shifts[index % 4]),
                1 => (((b & c) | (b & d) | (c & d)) + 0x5a827999, x[Round2Order[index]], Round2Shifts[index % 4]),
                _ => ((b ^ c ^ d) + 0x6ed9eba1, x[Round3Order[index]], Round3Shifts[index % 4]),
            };

            // RFC 1320 names the register being updated A, D, C, B in turn; rotating the variables
            // after each step lets every step be written as an update of "a".
            var updated = RotateLeft(a + mixed + word, shift);
            (a, b, c, d) = (d, updated, b, c);
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
    }

    private static byte[] Pad(byte[] message)
    {
        var paddedLength = ((message.Length + 8) / 64 + 1) * 64;
        var padded = new byte[paddedLength];
        Buffer.BlockCopy(message, 0, padded, 0, message.Length);
        padded[message.Length] = 0x80;
        var bitLength = (ulong)message.Length * 8;
        for (var i = 0; i < 8; i++)
        {
            padded[paddedLength - 8 + i] = (byte)(bitLength >> (8 * i));
        }

        return padded;
    }

    private static uint ReadLittleEndian(byte[] data, int offset) =>
        data[offset] | ((uint)data[offset + 1] << 8) | ((uint)data[offset + 2] << 16) | ((uint)data[offset + 3] << 24);

    private static uint RotateLeft(uint value, int shift) => (value << shift) | (value >> (32 - shift));
}
