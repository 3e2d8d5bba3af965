using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace KdcHa.Kerberos.Crypto;

/// <summary>
/// One Kerberos encryption type (RFC 3961 profile): string-to-key plus integrity-protected encryption.
/// Instances are stateless and thread-safe; obtain them through <see cref="Get"/> or <see cref="TryGet"/>.
/// </summary>
public abstract class KerberosEncryption
{
    private static readonly RandomNumberGenerator Random = RandomNumberGenerator.Create();

    private static readonly Dictionary<EncryptionType, KerberosEncryption> Supported = new KerberosEncryption[]
    {
        new AesCtsHmacSha1Encryption(EncryptionType.Aes128CtsHmacSha196, keySize: 16),
        new AesCtsHmacSha1Encryption(EncryptionType.Aes256CtsHmacSha196, keySize: 32),
        new AesCtsHmacSha2Encryption(EncryptionType.Aes128CtsHmacSha256128, keySize: 16, macSize: 16, HashAlgorithmName.SHA256),
        new AesCtsHmacSha2Encryption(EncryptionType.Aes256CtsHmacSha384192, keySize: 32, macSize: 24, HashAlgorithmName.SHA384),
        new Rc4HmacEncryption(),
    }.ToDictionary(encryption => encryption.Type);

    // Only this assembly may add encryption types: callers rely on Decrypt throwing nothing but
    // KerberosIntegrityException for bad ciphertext.
    private protected KerberosEncryption()
    {
    }

    /// <summary>Strongest first; RC4 last because it is deprecated (RFC 8429) yet still found on old accounts.</summary>
    public static IReadOnlyList<EncryptionType> PreferenceOrder { get; } = Array.AsReadOnly(new[]
    {
        EncryptionType.Aes256CtsHmacSha196,
        EncryptionType.Aes128CtsHmacSha196,
        EncryptionType.Aes256CtsHmacSha384192,
        EncryptionType.Aes128CtsHmacSha256128,
        EncryptionType.Rc4Hmac,
    });

    public abstract EncryptionType Type { get; }

    public abstract string Name { get; }

    public abstract int KeySize { get; }

    internal abstract int ConfounderSize { get; }

    public static bool TryGet(int encryptionType, out KerberosEncryption? encryption) =>
        Supported.TryGetValue((EncryptionType)encryptionType, out encryption);

    public static KerberosEncryption Get(EncryptionType type) =>
        TryGet((int)type, out var encryption)
            ? encryption!
            : throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported encryption type.");

    /// <summary>
    /// Derives a long-term key; the salt is encoded as UTF-8. <paramref name="s2kParameters"/> are ETYPE-INFO2
    /// s2kparams, null meaning the etype's default.
    /// </summary>
    public byte[] StringToKey(string password, string salt, byte[]? s2kParameters)
    {
        if (salt is null)
        {
            throw new ArgumentNullException(nameof(salt));
        }

        return StringToKey(password, Encoding.UTF8.GetBytes(salt), s2kParameters);
    }

    /// <summary>
    /// Derives a long-term key from a salt taken verbatim from the wire, where it is an opaque byte string
    /// that need not be valid UTF-8. RC4 ignores the salt and the parameters.
    /// </summary>
    /// <exception cref="ArgumentException">The parameters are malformed for this etype.</exception>
    public abstract byte[] StringToKey(string password, byte[] salt, byte[]? s2kParameters);

    /// <summary>Encrypts with a fresh random confounder, so equal plaintexts never give equal ciphertexts.</summary>
    public byte[] Encrypt(byte[] key, int usage, byte[] plaintext)
    {
        var confounder = new byte[ConfounderSize];
        Random.GetBytes(confounder);
        return Encrypt(key, usage, plaintext, confounder);
    }

    /// <exception cref="KerberosIntegrityException">
    /// The key is wrong, or the ciphertext is truncated, malformed or tampered with.
    /// </exception>
    public abstract byte[] Decrypt(byte[] key, int usage, byte[] ciphertext);

    internal abstract byte[] Encrypt(byte[] key, int usage, byte[] plaintext, byte[] confounder);

    private protected void ValidateArguments(byte[] key, int usage, byte[] data, string dataName)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }

        if (data is null)
        {
            throw new ArgumentNullException(dataName);
        }

        if (key.Length != KeySize)
        {
            throw new ArgumentException($"{Name} needs a {KeySize}-byte key, got {key.Length} bytes.", nameof(key));
        }

        if (usage <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(usage), usage, "Key usage numbers start at 1 (RFC 3961 §4).");
        }
    }

    private protected void ValidateConfounder(byte[] confounder)
    {
        if (confounder is null)
        {
            throw new ArgumentNullException(nameof(confounder));
        }

        if (confounder.Length != ConfounderSize)
        {
            throw new ArgumentException($"{Name} needs a {ConfounderSize}-byte confounder.", nameof(confounder));
        }
    }

    private protected KerberosIntegrityException IntegrityFailure(string reason) =>
        new($"{Name} decryption failed: {reason}.");
}

/// <summary>Kerberos encryption types (etypes) the engine implements, with their IANA numbers.</summary>
public enum EncryptionType
{
    Aes128CtsHmacSha196 = 17,
    Aes256CtsHmacSha196 = 18,
    Aes128CtsHmacSha256128 = 19,
    Aes256CtsHmacSha384192 = 20,
    Rc4Hmac = 23,
}

/// <summary>MIT krb5 spellings of encryption types, as used in krb5.conf, kdc.conf and klist output.</summary>
public static class EncryptionTypeNames
{
    // MIT matches names and aliases case-insensitively (lib/crypto/krb/etypes.c).
    private static readonly Dictionary<string, EncryptionType> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["aes128-cts-hmac-sha1-96"] = EncryptionType.Aes128CtsHmacSha196,
        ["aes128-cts"] = EncryptionType.Aes128CtsHmacSha196,
        ["aes128-sha1"] = EncryptionType.Aes128CtsHmacSha196,
        ["aes256-cts-hmac-sha1-96"] = EncryptionType.Aes256CtsHmacSha196,
        ["aes256-cts"] = EncryptionType.Aes256CtsHmacSha196,
        ["aes256-sha1"] = EncryptionType.Aes256CtsHmacSha196,
        ["aes128-cts-hmac-sha256-128"] = EncryptionType.Aes128CtsHmacSha256128,
        ["aes128-sha2"] = EncryptionType.Aes128CtsHmacSha256128,
        ["aes256-cts-hmac-sha384-192"] = EncryptionType.Aes256CtsHmacSha384192,
        ["aes256-sha2"] = EncryptionType.Aes256CtsHmacSha384192,
        ["arcfour-hmac"] = EncryptionType.Rc4Hmac,
        ["rc4-hmac"] = EncryptionType.Rc4Hmac,
        ["arcfour-hmac-md5"] = EncryptionType.Rc4Hmac,
    };

    public static bool TryParse(string mitName, out EncryptionType type)
    {
        if (mitName is null)
        {
            throw new ArgumentNullException(nameof(mitName));
        }

        return ByName.TryGetValue(mitName.Trim(), out type);
    }

    /// <summary>The canonical MIT name; RFC 8009 also uses it as the string-to-key salt prefix.</summary>
    public static string ToMitName(EncryptionType type) => type switch
    {
        EncryptionType.Aes128CtsHmacSha196 => "aes128-cts-hmac-sha1-96",
        EncryptionType.Aes256CtsHmacSha196 => "aes256-cts-hmac-sha1-96",
        EncryptionType.Aes128CtsHmacSha256128 => "aes128-cts-hmac-sha256-128",
        EncryptionType.Aes256CtsHmacSha384192 => "aes256-cts-hmac-sha384-192",
        EncryptionType.Rc4Hmac => "arcfour-hmac",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported encryption type."),
    };
}

/// <summary>The byte appended to the key usage number to derive each per-usage key (RFC 3961 §5.3).</summary>
internal enum UsageKeyKind : byte
{
    Checksum = 0x99,
    Encryption = 0xAA,
    Integrity = 0x55,
}
