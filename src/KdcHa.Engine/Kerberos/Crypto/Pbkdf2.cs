using System;
using System.Security.Cryptography;

namespace KdcHa.Kerberos.Crypto;

/// <summary>
/// PBKDF2 (RFC 8018 §5.2) over any HMAC. Hand-rolled because netstandard2.0's Rfc2898DeriveBytes is SHA-1 only
/// and .NET Framework rejects the short salts Kerberos allows.
/// </summary>
internal static class Pbkdf2
{
    /// <summary>The pseudo-random function is <paramref name="passwordKeyedHmac"/>, an HMAC keyed with the password.</summary>
    public static byte[] DeriveBytes(HMAC passwordKeyedHmac, byte[] salt, long iterations, int length)
    {
        var result = new byte[length];
        var blockSize = passwordKeyedHmac.HashSize / 8;
        for (var offset = 0; offset < length; offset += blockSize)
        {
            var block = Block(passwordKeyedHmac, salt, iterations, blockIndex: (uint)(offset / blockSize) + 1);
            Buffer.BlockCopy(block, 0, result, offset, Math.Min(blockSize, length - offset));
        }

        return result;
    }

    private static byte[] Block(HMAC prf, byte[] salt, long iterations, uint blockIndex)
    {
        var u = prf.ComputeHash(ByteArrays.Concat(salt, ByteArrays.BigEndian(blockIndex)));
        var block = (byte[])u.Clone();
        for (long i = 1; i < iterations; i++)
        {
            u = prf.ComputeHash(u);
            for (var j = 0; j < block.Length; j++)
            {
                block[j] ^= u[j];
            }
        }

        return block;
    }
}
