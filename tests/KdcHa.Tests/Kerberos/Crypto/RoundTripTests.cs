using System;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

public class RoundTripTests
{
    private static readonly int[] PlaintextLengths = { 0, 1, 15, 16, 17, 31, 32, 33, 100 };

    public static TheoryData<EncryptionType, int> TypesAndLengths()
    {
        var data = new TheoryData<EncryptionType, int>();
        foreach (var type in Enum.GetValues<EncryptionType>())
        {
            foreach (var length in PlaintextLengths)
            {
                data.Add(type, length);
            }
        }

        return data;
    }

    public static TheoryData<EncryptionType> AllTypes => EncryptionTestData.AllTypes;

    [Theory]
    [MemberData(nameof(TypesAndLengths))]
    public void Decrypt_ReturnsWhatWasEncrypted(EncryptionType type, int length)
    {
        var encryption = KerberosEncryption.Get(type);
        var random = new Random(length);
        var key = EncryptionTestData.RandomKey(encryption, random);
        var plaintext = new byte[length];
        random.NextBytes(plaintext);

        var ciphertext = encryption.Encrypt(key, 3, plaintext);

        Assert.Equal(plaintext, encryption.Decrypt(key, 3, ciphertext));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Encrypt_UsesFreshConfounder(EncryptionType type)
    {
        var encryption = KerberosEncryption.Get(type);
        var key = EncryptionTestData.RandomKey(encryption, new Random(1));
        var plaintext = new byte[20];

        Assert.NotEqual(encryption.Encrypt(key, 1, plaintext), encryption.Encrypt(key, 1, plaintext));
    }
}
