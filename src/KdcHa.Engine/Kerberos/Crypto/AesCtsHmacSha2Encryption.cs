using System;
using System.Security.Cryptography;
using System.Text;

namespace KdcHa.Kerberos.Crypto;

/// <summary>aes128-cts-hmac-sha256-128 and aes256-cts-hmac-sha384-192 (RFC 8009).</summary>
internal sealed class AesCtsHmacSha2Encryption : AesCtsHmacEncryption
{
    // Kerberos always encrypts with a zero IV; RFC 8009 §5 still feeds it to the MAC.
    private static readonly byte[] ZeroIv = new byte[AesCts.BlockSize];

    private readonly Func<byte[], HMAC> _createHmac;

    public AesCtsHmacSha2Encryption(EncryptionType type, int keySize, int macSize, Func<byte[], HMAC> createHmac)
        : base(type, keySize, macSize)
    {
        _createHmac = createHmac;
    }

    protected override uint DefaultIterations => 32768;

    protected override int IntegrityKeySize => MacSize;

    protected override HMAC CreateHmac(byte[] key) => _createHmac(key);

    /// <summary>RFC 8009 §4 binds the key to the etype: saltp = enctype name | 0x00 | salt.</summary>
    protected override byte[] PasswordSalt(byte[] salt) =>
        ByteArrays.Concat(Encoding.ASCII.GetBytes(Name), new byte[1], salt);

    /// <summary>
    /// RFC 8009 §3 KDF-HMAC-SHA2, the SP 800-108 counter-mode KDF; one HMAC block is enough because no
    /// derived key is longer than the hash.
    /// </summary>
    protected override byte[] DeriveKey(byte[] baseKey, byte[] label, int length)
    {
        using var hmac = CreateHmac(baseKey);
        var input = ByteArrays.Concat(ByteArrays.BigEndian(1), label, new byte[1], ByteArrays.BigEndian((uint)length * 8));
        return ByteArrays.Slice(hmac.ComputeHash(input), 0, length);
    }

    protected override byte[] IntegrityInput(byte[] confoundedPlaintext, byte[] ciphertext) =>
        ByteArrays.Concat(ZeroIv, ciphertext);
}
