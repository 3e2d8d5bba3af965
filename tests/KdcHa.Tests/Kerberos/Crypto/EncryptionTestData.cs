using System;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

internal static class EncryptionTestData
{
    public static TheoryData<EncryptionType> AllTypes => new(Enum.GetValues<EncryptionType>());

    public static byte[] RandomKey(KerberosEncryption encryption, Random random)
    {
        var key = new byte[encryption.KeySize];
        random.NextBytes(key);
        return key;
    }

    public static AesCtsHmacEncryption Aes(EncryptionType type) => (AesCtsHmacEncryption)KerberosEncryption.Get(type);
}
