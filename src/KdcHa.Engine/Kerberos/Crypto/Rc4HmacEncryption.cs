using System;
using System.Security.Cryptography;
using System.Text;

namespace KdcHa.Kerberos.Crypto;

/// <summary>arcfour-hmac (RFC 4757), the non-export variant: key = NT hash, RC4 keyed per message by HMAC-MD5.</summary>
internal sealed class Rc4HmacEncryption : KerberosEncryption
{
    private const int ChecksumSize = 16;

    public override EncryptionType Type => EncryptionType.Rc4Hmac;

    public override string Name => EncryptionTypeNames.ToMitName(Type);

    public override int KeySize => 16;

    internal override int ConfounderSize => 8;

    public override byte[] StringToKey(string password, byte[] salt, byte[]? s2kParameters)
    {
        if (password is null)
        {
            throw new ArgumentNullException(nameof(password));
        }

        return Md4.Hash(Encoding.Unicode.GetBytes(password));
    }

    internal override byte[] Encrypt(byte[] key, int usage, byte[] plaintext, byte[] confounder)
    {
        ValidateArguments(key, usage, plaintext, nameof(plaintext));
        ValidateConfounder(confounder);
        var usageKey = UsageKey(key, usage);
        var confounded = ByteArrays.Concat(confounder, plaintext);
        var checksum = HmacMd5(usageKey, confounded);
        return ByteArrays.Concat(checksum, Rc4.Transform(HmacMd5(usageKey, checksum), confounded));
    }

    public override byte[] Decrypt(byte[] key, int usage, byte[] ciphertext)
    {
        ValidateArguments(key, usage, ciphertext, nameof(ciphertext));
        if (ciphertext.Length < ChecksumSize + ConfounderSize)
        {
            throw IntegrityFailure($"{ciphertext.Length} bytes is shorter than the {ChecksumSize + ConfounderSize}-byte minimum");
        }

        var usageKey = UsageKey(key, usage);
        var receivedChecksum = ByteArrays.Slice(ciphertext, 0, ChecksumSize);
        var confounded = Rc4.Transform(HmacMd5(usageKey, receivedChecksum), ByteArrays.Slice(ciphertext, ChecksumSize));
        if (!ByteArrays.FixedTimeEquals(HmacMd5(usageKey, confounded), receivedChecksum))
        {
            throw IntegrityFailure("integrity check failed (wrong key, or the ciphertext was altered)");
        }

        return ByteArrays.Slice(confounded, ConfounderSize);
    }

    // K1 of RFC 4757 §4; K2 equals K1 outside the export variant.
    private static byte[] UsageKey(byte[] key, int usage) =>
        HmacMd5(key, ByteArrays.LittleEndian(MessageType(usage)));

    /// <summary>
    /// RFC 4757 §3 renumbers usages to the message types Windows used before RFC 3961. MIT krb5 ≥ 1.8 keeps 9 as 9;
    /// that only matters for TGS-REPs under a subkey, which this engine never decrypts.
    /// </summary>
    private static uint MessageType(int usage) => usage switch
    {
        3 => 8,
        9 => 8,
        23 => 13,
        _ => (uint)usage,
    };

    private static byte[] HmacMd5(byte[] key, byte[] data)
    {
        using var hmac = new HMACMD5(key);
        return hmac.ComputeHash(data);
    }
}
