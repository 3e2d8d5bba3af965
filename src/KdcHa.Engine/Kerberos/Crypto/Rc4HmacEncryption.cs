using System;
using System.Buffers.Binary;
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
        byte[] confounded = [.. confounder, .. plaintext];
        var checksum = HMACMD5.HashData(usageKey, confounded);
        return [.. checksum, .. Rc4.Transform(HMACMD5.HashData(usageKey, checksum), confounded)];
    }

    public override byte[] Decrypt(byte[] key, int usage, byte[] ciphertext)
    {
        ValidateArguments(key, usage, ciphertext, nameof(ciphertext));
        if (ciphertext.Length < ChecksumSize + ConfounderSize)
        {
            throw IntegrityFailure($"{ciphertext.Length} bytes is shorter than the {ChecksumSize + ConfounderSize}-byte minimum");
        }

        var usageKey = UsageKey(key, usage);
        var receivedChecksum = ciphertext[..ChecksumSize];
        var confounded = Rc4.Transform(HMACMD5.HashData(usageKey, receivedChecksum), ciphertext[ChecksumSize..]);
        if (!CryptographicOperations.FixedTimeEquals(HMACMD5.HashData(usageKey, confounded), receivedChecksum))
        {
            throw IntegrityFailure("integrity check failed (wrong key, or the ciphertext was altered)");
        }

        return confounded[ConfounderSize..];
    }

    // K1 of RFC 4757 §4; K2 equals K1 outside the export variant.
    private static byte[] UsageKey(byte[] key, int usage)
    {
        var messageType = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(messageType, MessageType(usage));
        return HMACMD5.HashData(key, messageType);
    }

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
}

/// <summary>The RC4 stream cipher, needed for RC4-HMAC (RFC 4757); .NET does not ship it.</summary>
internal static class Rc4
{
    /// <summary>Encrypts or decrypts (the operation is its own inverse) with a fresh key schedule.</summary>
    public static byte[] Transform(byte[] key, byte[] data)
    {
        var s = new byte[256];
        for (var i = 0; i < 256; i++)
        {
            s[i] = (byte)i;
        }

        for (int i = 0, j = 0; i < 256; i++)
        {
            j = (j + s[i] + key[i % key.Length]) & 0xff;
            (s[i], s[j]) = (s[j], s[i]);
        }

        var output = new byte[data.Length];
        for (int n = 0, i = 0, j = 0; n < data.Length; n++)
        {
            i = (i + 1) & 0xff;
            j = (j + s[i]) & 0xff;
            (s[i], s[j]) = (s[j], s[i]);
            output[n] = (byte)(data[n] ^ s[(s[i] + s[j]) & 0xff]);
        }

        return output;
    }
}

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
                words[i] = BinaryPrimitives.ReadUInt32LittleEndian(padded.AsSpan(blockStart + (i * 4)));
            }

            ProcessBlock(state, words);
        }

        var digest = new byte[16];
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(i * 4), state[i]);
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
        message.CopyTo(padded, 0);
        padded[message.Length] = 0x80;
        BinaryPrimitives.WriteUInt64LittleEndian(padded.AsSpan(paddedLength - 8), (ulong)message.Length * 8);

        return padded;
    }

    private static uint RotateLeft(uint value, int shift) => (value << shift) | (value >> (32 - shift));
}
