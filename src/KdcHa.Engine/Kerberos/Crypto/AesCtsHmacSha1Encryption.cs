using System;
using System.Security.Cryptography;

namespace KdcHa.Kerberos.Crypto;

/// <summary>aes128/aes256-cts-hmac-sha1-96 (RFC 3962): the RFC 3961 simplified profile over AES.</summary>
internal sealed class AesCtsHmacSha1Encryption : AesCtsHmacEncryption
{
    public AesCtsHmacSha1Encryption(EncryptionType type, int keySize)
        : base(type, keySize, macSize: 12)
    {
    }

    protected override uint DefaultIterations => 4096;

    protected override int IntegrityKeySize => KeySize;

    protected override HMAC CreateHmac(byte[] key) => new HMACSHA1(key);

    protected override byte[] PasswordSalt(byte[] salt) => salt;

    /// <summary>
    /// RFC 3961 §5.1 DK: random-to-key is the identity for AES, so DK is DR, the AES "counter" chain
    /// K1 = E(key, n-fold(constant)), K(i+1) = E(key, Ki), concatenated.
    /// </summary>
    protected override byte[] DeriveKey(byte[] baseKey, byte[] constant, int length)
    {
        var result = new byte[length];
        var block = NFold.Fold(constant, AesCts.BlockSize);
        for (var offset = 0; offset < length; offset += AesCts.BlockSize)
        {
            block = AesCts.Encrypt(baseKey, block);
            Buffer.BlockCopy(block, 0, result, offset, Math.Min(AesCts.BlockSize, length - offset));
        }

        return result;
    }

    protected override byte[] IntegrityInput(byte[] confoundedPlaintext, byte[] ciphertext) => confoundedPlaintext;
}
