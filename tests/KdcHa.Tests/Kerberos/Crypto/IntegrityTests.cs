using System;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

/// <summary>Decrypt must reject every kind of bad ciphertext with KerberosIntegrityException and nothing else.</summary>
public class IntegrityTests
{
    private const int Usage = 3;

    public static TheoryData<EncryptionType> AllTypes => EncryptionTestData.AllTypes;

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Decrypt_AnySingleByteAltered_Throws(EncryptionType type)
    {
        var (encryption, key, ciphertext) = EncryptSample(type);

        foreach (var mask in new byte[] { 0x01, 0x80, 0xff })
        {
            for (var i = 0; i < ciphertext.Length; i++)
            {
                var tampered = (byte[])ciphertext.Clone();
                tampered[i] ^= mask;

                Assert.Throws<KerberosIntegrityException>(() => encryption.Decrypt(key, Usage, tampered));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Decrypt_TruncatedOrExtended_Throws(EncryptionType type)
    {
        var (encryption, key, ciphertext) = EncryptSample(type);

        for (var length = 0; length < ciphertext.Length; length++)
        {
            var truncated = ciphertext[..length];
            Assert.Throws<KerberosIntegrityException>(() => encryption.Decrypt(key, Usage, truncated));
        }

        Assert.Throws<KerberosIntegrityException>(() => encryption.Decrypt(key, Usage, [.. ciphertext, 0]));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Decrypt_WrongKeyOrUsage_Throws(EncryptionType type)
    {
        var (encryption, key, ciphertext) = EncryptSample(type);
        var otherKey = (byte[])key.Clone();
        otherKey[0] ^= 1;

        Assert.Throws<KerberosIntegrityException>(() => encryption.Decrypt(otherKey, Usage, ciphertext));
        Assert.Throws<KerberosIntegrityException>(() => encryption.Decrypt(key, Usage + 1, ciphertext));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Decrypt_RandomBytes_ThrowsOnlyIntegrityException(EncryptionType type)
    {
        var encryption = KerberosEncryption.Get(type);
        var random = new Random((int)type);
        var key = EncryptionTestData.RandomKey(encryption, random);

        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var garbage = new byte[random.Next(0, 201)];
            random.NextBytes(garbage);

            Assert.Throws<KerberosIntegrityException>(() => encryption.Decrypt(key, Usage, garbage));
        }
    }

    private static (KerberosEncryption Encryption, byte[] Key, byte[] Ciphertext) EncryptSample(EncryptionType type)
    {
        var encryption = KerberosEncryption.Get(type);
        var key = EncryptionTestData.RandomKey(encryption, new Random(42));
        return (encryption, key, encryption.Encrypt(key, Usage, new byte[20]));
    }
}
