using System;
using System.Buffers.Binary;
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
    private readonly HashAlgorithmName _hash;

    protected AesCtsHmacEncryption(EncryptionType type, int keySize, int macSize, HashAlgorithmName hash)
    {
        Type = type;
        KeySize = keySize;
        MacSize = macSize;
        _hash = hash;
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

        return DeriveKey(TemporaryKey(password, salt, IterationCount(s2kParameters, DefaultIterations)), KerberosConstant, KeySize);
    }

    /// <summary>
    /// The tkey of RFC 3962 §4 and RFC 8009 §4: PBKDF2 over this etype's HMAC, before DK binds it to "kerberos".
    /// </summary>
    internal byte[] TemporaryKey(string password, byte[] salt, long iterations)
    {
        // Rfc2898DeriveBytes counts in an int; 2^31 rounds and more take longer than any caller waits.
        if (iterations > int.MaxValue)
        {
            throw new ArgumentException($"{iterations} string-to-key iterations are more than the {int.MaxValue} PBKDF2 supports.", nameof(iterations));
        }

        return Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), PasswordSalt(salt), (int)iterations, _hash, KeySize);
    }

    internal sealed override byte[] Encrypt(byte[] key, int usage, byte[] plaintext, byte[] confounder)
    {
        ValidateArguments(key, usage, plaintext, nameof(plaintext));
        ValidateConfounder(confounder);
        byte[] confounded = [.. confounder, .. plaintext];
        var ciphertext = AesCts.Encrypt(DeriveUsageKey(key, usage, UsageKeyKind.Encryption), confounded);
        var mac = Mac(DeriveUsageKey(key, usage, UsageKeyKind.Integrity), IntegrityInput(confounded, ciphertext));
        return [.. ciphertext, .. mac];
    }

    public sealed override byte[] Decrypt(byte[] key, int usage, byte[] ciphertext)
    {
        ValidateArguments(key, usage, ciphertext, nameof(ciphertext));
        if (ciphertext.Length < AesCts.BlockSize + MacSize)
        {
            throw IntegrityFailure($"{ciphertext.Length} bytes is shorter than the {AesCts.BlockSize + MacSize}-byte minimum");
        }

        var encrypted = ciphertext[..^MacSize];
        var receivedMac = ciphertext.AsSpan(encrypted.Length);

        // Decrypting before the MAC check is safe even where the MAC covers the ciphertext: CTS decryption
        // of any input of at least one block succeeds, and nothing is released unless the MAC matches.
        var confounded = AesCts.Decrypt(DeriveUsageKey(key, usage, UsageKeyKind.Encryption), encrypted);
        var expectedMac = Mac(DeriveUsageKey(key, usage, UsageKeyKind.Integrity), IntegrityInput(confounded, encrypted));
        if (!CryptographicOperations.FixedTimeEquals(expectedMac, receivedMac))
        {
            throw IntegrityFailure("integrity check failed (wrong key, or the ciphertext was altered)");
        }

        return confounded[AesCts.BlockSize..];
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
        var constant = new byte[5];
        BinaryPrimitives.WriteInt32BigEndian(constant, usage);
        constant[4] = (byte)kind;
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

        var count = BinaryPrimitives.ReadUInt32BigEndian(s2kParameters);
        return count == 0 ? 1L << 32 : count;
    }

    protected abstract byte[] PasswordSalt(byte[] salt);

    protected abstract byte[] DeriveKey(byte[] baseKey, byte[] constant, int length);

    protected abstract byte[] IntegrityInput(byte[] confoundedPlaintext, byte[] ciphertext);

    protected byte[] Hmac(byte[] key, byte[] data)
    {
        using var hmac = IncrementalHash.CreateHMAC(_hash, key);
        hmac.AppendData(data);
        return hmac.GetHashAndReset();
    }

    private byte[] Mac(byte[] key, byte[] data) => Hmac(key, data)[..MacSize];
}

/// <summary>aes128/aes256-cts-hmac-sha1-96 (RFC 3962): the RFC 3961 simplified profile over AES.</summary>
internal sealed class AesCtsHmacSha1Encryption : AesCtsHmacEncryption
{
    public AesCtsHmacSha1Encryption(EncryptionType type, int keySize)
        : base(type, keySize, macSize: 12, HashAlgorithmName.SHA1)
    {
    }

    protected override uint DefaultIterations => 4096;

    protected override int IntegrityKeySize => KeySize;

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

/// <summary>aes128-cts-hmac-sha256-128 and aes256-cts-hmac-sha384-192 (RFC 8009).</summary>
internal sealed class AesCtsHmacSha2Encryption : AesCtsHmacEncryption
{
    // Kerberos always encrypts with a zero IV; RFC 8009 §5 still feeds it to the MAC.
    private static readonly byte[] ZeroIv = new byte[AesCts.BlockSize];

    public AesCtsHmacSha2Encryption(EncryptionType type, int keySize, int macSize, HashAlgorithmName hash)
        : base(type, keySize, macSize, hash)
    {
    }

    protected override uint DefaultIterations => 32768;

    protected override int IntegrityKeySize => MacSize;

    /// <summary>RFC 8009 §4 binds the key to the etype: saltp = enctype name | 0x00 | salt.</summary>
    protected override byte[] PasswordSalt(byte[] salt) =>
        [.. Encoding.ASCII.GetBytes(Name), 0, .. salt];

    /// <summary>
    /// RFC 8009 §3 KDF-HMAC-SHA2, the SP 800-108 counter-mode KDF; one HMAC block is enough because no
    /// derived key is longer than the hash.
    /// </summary>
    protected override byte[] DeriveKey(byte[] baseKey, byte[] label, int length)
    {
        var input = new byte[4 + label.Length + 1 + 4];
        BinaryPrimitives.WriteInt32BigEndian(input, 1);
        label.CopyTo(input, 4);
        BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(^4), length * 8);
        return Hmac(baseKey, input)[..length];
    }

    protected override byte[] IntegrityInput(byte[] confoundedPlaintext, byte[] ciphertext) =>
        [.. ZeroIv, .. ciphertext];
}

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
        var lastCbcBlock = ciphertext[penultimateStart..lastStart];
        var decryptedLast = Transform(key, lastCbcBlock, encrypt: false);
        var cbc = new byte[paddedLength];
        Buffer.BlockCopy(ciphertext, 0, cbc, 0, penultimateStart);
        Buffer.BlockCopy(ciphertext, lastStart, cbc, penultimateStart, tailLength);
        Buffer.BlockCopy(decryptedLast, tailLength, cbc, penultimateStart + tailLength, BlockSize - tailLength);
        Buffer.BlockCopy(lastCbcBlock, 0, cbc, lastStart, BlockSize);
        return Transform(key, cbc, encrypt: false)[..ciphertext.Length];
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

/// <summary>RFC 3961 §5.1 n-fold: stretches or shrinks a constant to the cipher block size.</summary>
internal static class NFold
{
    public static byte[] Fold(byte[] input, int outputBytes)
    {
        var copies = LeastCommonMultiple(input.Length, outputBytes) / input.Length;
        var result = new byte[outputBytes];
        var chunk = new byte[outputBytes];
        var chunkFill = 0;
        for (var copy = 0; copy < copies; copy++)
        {
            foreach (var value in RotateRight(input, 13 * copy))
            {
                chunk[chunkFill++] = value;
                if (chunkFill == outputBytes)
                {
                    AddOnesComplement(result, chunk);
                    chunkFill = 0;
                }
            }
        }

        return result;
    }

    private static byte[] RotateRight(byte[] input, int bits)
    {
        var totalBits = input.Length * 8;
        var result = new byte[input.Length];
        for (var target = 0; target < totalBits; target++)
        {
            var source = ((target - bits) % totalBits + totalBits) % totalBits;
            if ((input[source / 8] & (0x80 >> (source % 8))) != 0)
            {
                result[target / 8] |= (byte)(0x80 >> (target % 8));
            }
        }

        return result;
    }

    // One's-complement addition: a carry out of the most significant byte wraps around into the least significant.
    private static void AddOnesComplement(byte[] sum, byte[] addend)
    {
        var carry = 0;
        for (var i = sum.Length - 1; i >= 0; i--)
        {
            carry += sum[i] + addend[i];
            sum[i] = (byte)carry;
            carry >>= 8;
        }

        for (var i = sum.Length - 1; carry != 0 && i >= 0; i--)
        {
            carry += sum[i];
            sum[i] = (byte)carry;
            carry >>= 8;
        }
    }

    private static int LeastCommonMultiple(int a, int b)
    {
        var (x, y) = (a, b);
        while (y != 0)
        {
            (x, y) = (y, x % y);
        }

        return a / x * b;
    }
}
