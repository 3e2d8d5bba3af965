using System;
using System.Security.Cryptography;

namespace KdcHa.Kerberos.Crypto;

/// <summary>
/// AES in CBC ciphertext-stealing mode with a zero IV (RFC 3962 §5), built from CBC because .NET has no CTS.
/// Inputs must be at least one block; a single block is plain AES.
/// </summary>
internal static class AesCts
{
    public const int BlockSize = 16;

    private static readonly byte[] ZeroIv = new byte[BlockSize];

    [ThreadStatic]
    private static Aes? _threadAes;

    public static byte[] Encrypt(byte[] key, byte[] plaintext)
    {
        RequireAtLeastOneBlock(plaintext);
        var padded = new byte[RoundUpToBlock(plaintext.Length)];
        Buffer.BlockCopy(plaintext, 0, padded, 0, plaintext.Length);
        var cbc = Transform(key, padded, encrypt: true);
        if (cbc.Length == BlockSize)
        {
            return cbc;
        }

        // Output C1..C(n-2) | Cn | C(n-1) truncated, so the ciphertext is exactly as long as the plaintext.
        var lastStart = cbc.Length - BlockSize;
        var penultimateStart = lastStart - BlockSize;
        var result = new byte[plaintext.Length];
        Buffer.BlockCopy(cbc, 0, result, 0, penultimateStart);
        Buffer.BlockCopy(cbc, lastStart, result, penultimateStart, BlockSize);
        Buffer.BlockCopy(cbc, penultimateStart, result, lastStart, plaintext.Length - lastStart);
        return result;
    }

    public static byte[] Decrypt(byte[] key, byte[] ciphertext)
    {
        RequireAtLeastOneBlock(ciphertext);
        if (ciphertext.Length == BlockSize)
        {
            return Transform(key, ciphertext, encrypt: false);
        }

        var paddedLength = RoundUpToBlock(ciphertext.Length);
        var lastStart = paddedLength - BlockSize;
        var penultimateStart = lastStart - BlockSize;
        var tailLength = ciphertext.Length - lastStart;

        // The swapped-in last CBC block decrypts to (zero-padded Pn) XOR C(n-1); its padding positions
        // therefore hold the stolen bytes of C(n-1). Restoring C(n-1) turns the input back into plain CBC.
        var lastCbcBlock = ByteArrays.Slice(ciphertext, penultimateStart, BlockSize);
        var decryptedLast = Transform(key, lastCbcBlock, encrypt: false);
        var cbc = new byte[paddedLength];
        Buffer.BlockCopy(ciphertext, 0, cbc, 0, penultimateStart);
        Buffer.BlockCopy(ciphertext, lastStart, cbc, penultimateStart, tailLength);
        Buffer.BlockCopy(decryptedLast, tailLength, cbc, penultimateStart + tailLength, BlockSize - tailLength);
        Buffer.BlockCopy(lastCbcBlock, 0, cbc, lastStart, BlockSize);
        return ByteArrays.Slice(Transform(key, cbc, encrypt: false), 0, ciphertext.Length);
    }

    private static byte[] Transform(byte[] key, byte[] blocks, bool encrypt)
    {
        // One Aes per thread: creating one per block operation cost more than the operation. An Aes instance is not
        // thread-safe, but CreateEncryptor(key, iv) leaves it unchanged, so a thread's instance serves every key.
        var aes = _threadAes ??= CreateCbcAes();
        using var transform = encrypt ? aes.CreateEncryptor(key, ZeroIv) : aes.CreateDecryptor(key, ZeroIv);
        return transform.TransformFinalBlock(blocks, 0, blocks.Length);
    }

    private static Aes CreateCbcAes()
    {
        var aes = Aes.Create();
        aes.Mode = CipherMode.CBC;
        aes.Padding = PaddingMode.None;
        return aes;
    }

    private static int RoundUpToBlock(int length) => (length + BlockSize - 1) / BlockSize * BlockSize;

    private static void RequireAtLeastOneBlock(byte[] data)
    {
        if (data.Length < BlockSize)
        {
            throw new ArgumentException("AES-CTS needs at least one full block.", nameof(data));
        }
    }
}
