using System;
using System.Security.Cryptography;
using System.Text;

namespace KdcHa.Kerberos.Crypto;

/// <summary>
/// What RFC 3962 (AES-SHA1) and RFC 8009 (AES-SHA2) share: PBKDF2 string-to-key, per-usage keys,
/// AES-CTS over confounder|plaintext with a zero IV, and a truncated HMAC appended to the ciphertext.
/// Subclasses supply the hash, the key-derivation function and what the MAC covers.
/// </summary>
internal abstract class AesCtsHmacEncryption : KerberosEncryption
{
    private static readonly byte[] KerberosConstant = Encoding.ASCII.GetBytes("kerberos");

    private readonly DerivedKeyCache _usageKeys;

    protected AesCtsHmacEncryption(EncryptionType type, int keySize, int macSize)
    {
        Type = type;
        KeySize = keySize;
        MacSize = macSize;
        _usageKeys = new DerivedKeyCache(DeriveUncachedUsageKey);
    }

    public sealed override EncryptionType Type { get; }

    public sealed override string Name => EncryptionTypeNames.ToMitName(Type);

    public sealed override int KeySize { get; }

    internal sealed override int ConfounderSize => AesCts.BlockSize;

    internal int MacSize { get; }

    protected abstract uint DefaultIterations { get; }

    protected abstract int IntegrityKeySize { get; }

    public sealed override byte[] StringToKey(string password, byte[] salt, byte[]? s2kParameters)
    {
        if (password is null)
        {
            throw new ArgumentNullException(nameof(password));
        }

        if (salt is null)
        {
            throw new ArgumentNullException(nameof(salt));
        }

        var iterations = IterationCount(s2kParameters, DefaultIterations);
        using var prf = CreateHmac(Encoding.UTF8.GetBytes(password));
        var temporaryKey = Pbkdf2.DeriveBytes(prf, PasswordSalt(salt), iterations, KeySize);
        return DeriveKey(temporaryKey, KerberosConstant, KeySize);
    }

    internal sealed override byte[] Encrypt(byte[] key, int usage, byte[] plaintext, byte[] confounder)
    {
        ValidateArguments(key, usage, plaintext, nameof(plaintext));
        ValidateConfounder(confounder);
        var confounded = ByteArrays.Concat(confounder, plaintext);
        var ciphertext = AesCts.Encrypt(DeriveUsageKey(key, usage, UsageKeyKind.Encryption), confounded);
        var mac = Mac(DeriveUsageKey(key, usage, UsageKeyKind.Integrity), IntegrityInput(confounded, ciphertext));
        return ByteArrays.Concat(ciphertext, mac);
    }

    public sealed override byte[] Decrypt(byte[] key, int usage, byte[] ciphertext)
    {
        ValidateArguments(key, usage, ciphertext, nameof(ciphertext));
        if (ciphertext.Length < AesCts.BlockSize + MacSize)
        {
            throw IntegrityFailure($"{ciphertext.Length} bytes is shorter than the {AesCts.BlockSize + MacSize}-byte minimum");
        }

        var encrypted = ByteArrays.Slice(ciphertext, 0, ciphertext.Length - MacSize);
        var receivedMac = ByteArrays.Slice(ciphertext, encrypted.Length);

        // Decrypting before the MAC check is safe even where the MAC covers the ciphertext: CTS decryption
        // of any input of at least one block succeeds, and nothing is released unless the MAC matches.
        var confounded = AesCts.Decrypt(DeriveUsageKey(key, usage, UsageKeyKind.Encryption), encrypted);
        var expectedMac = Mac(DeriveUsageKey(key, usage, UsageKeyKind.Integrity), IntegrityInput(confounded, encrypted));
        if (!ByteArrays.FixedTimeEquals(expectedMac, receivedMac))
        {
            throw IntegrityFailure("integrity check failed (wrong key, or the ciphertext was altered)");
        }

        return ByteArrays.Slice(confounded, AesCts.BlockSize);
    }

    /// <summary>The keyed checksum of this etype's checksum type (15/16 for AES-SHA1, 19/20 for AES-SHA2).</summary>
    internal byte[] Checksum(byte[] key, int usage, byte[] message)
    {
        ValidateArguments(key, usage, message, nameof(message));
        return Mac(DeriveUsageKey(key, usage, UsageKeyKind.Checksum), message);
    }

    /// <summary>The per-usage key, from the cache when this base key was used before; callers must not modify it.</summary>
    internal byte[] DeriveUsageKey(byte[] baseKey, int usage, UsageKeyKind kind) => _usageKeys.GetOrDerive(baseKey, usage, kind);

    internal byte[] DeriveUncachedUsageKey(byte[] baseKey, int usage, UsageKeyKind kind)
    {
        var constant = ByteArrays.Concat(ByteArrays.BigEndian((uint)usage), new[] { (byte)kind });
        return DeriveKey(baseKey, constant, kind == UsageKeyKind.Encryption ? KeySize : IntegrityKeySize);
    }

    /// <summary>Reads s2kparams: a 4-byte big-endian iteration count where 0 stands for 2^32 (RFC 3962 §4).</summary>
    internal static long IterationCount(byte[]? s2kParameters, uint defaultIterations)
    {
        if (s2kParameters is null)
        {
            return defaultIterations;
        }

        if (s2kParameters.Length != 4)
        {
            throw new ArgumentException(
                $"AES string-to-key parameters are a 4-byte iteration count, got {s2kParameters.Length} bytes.",
                nameof(s2kParameters));
        }

        var count = ((uint)s2kParameters[0] << 24) | ((uint)s2kParameters[1] << 16) | ((uint)s2kParameters[2] << 8) | s2kParameters[3];
        return count == 0 ? 1L << 32 : count;
    }

    protected abstract HMAC CreateHmac(byte[] key);

    protected abstract byte[] PasswordSalt(byte[] salt);

    protected abstract byte[] DeriveKey(byte[] baseKey, byte[] constant, int length);

    protected abstract byte[] IntegrityInput(byte[] confoundedPlaintext, byte[] ciphertext);

    private byte[] Mac(byte[] key, byte[] data)
    {
        using var hmac = CreateHmac(key);
        return ByteArrays.Slice(hmac.ComputeHash(data), 0, MacSize);
    }
}
