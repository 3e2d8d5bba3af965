using System;
using System.Linq;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

public class KerberosEncryptionTests
{
    public static TheoryData<EncryptionType> AllTypes => EncryptionTestData.AllTypes;

    [Theory]
    [InlineData(17, "aes128-cts-hmac-sha1-96", 16)]
    [InlineData(18, "aes256-cts-hmac-sha1-96", 32)]
    [InlineData(19, "aes128-cts-hmac-sha256-128", 16)]
    [InlineData(20, "aes256-cts-hmac-sha384-192", 32)]
    [InlineData(23, "arcfour-hmac", 16)]
    public void TryGet_SupportedType_DescribesIt(int number, string name, int keySize)
    {
        Assert.True(KerberosEncryption.TryGet(number, out var encryption));

        Assert.Equal((EncryptionType)number, encryption!.Type);
        Assert.Equal(name, encryption.Name);
        Assert.Equal(keySize, encryption.KeySize);
        Assert.Same(encryption, KerberosEncryption.Get((EncryptionType)number));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(25)]
    public void TryGet_UnsupportedType_ReturnsFalse(int number)
    {
        Assert.False(KerberosEncryption.TryGet(number, out var encryption));
        Assert.Null(encryption);
        Assert.Throws<ArgumentOutOfRangeException>(() => KerberosEncryption.Get((EncryptionType)number));
    }

    [Fact]
    public void PreferenceOrder_IsAesSha1ThenAesSha2ThenRc4()
    {
        Assert.Equal(new[] { 18, 17, 20, 19, 23 }, KerberosEncryption.PreferenceOrder.Select(type => (int)type));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void UsageZeroOrNegative_IsRejected(EncryptionType type)
    {
        var encryption = KerberosEncryption.Get(type);
        var key = new byte[encryption.KeySize];

        foreach (var usage in new[] { 0, -1 })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => encryption.Encrypt(key, usage, []));
            Assert.Throws<ArgumentOutOfRangeException>(() => encryption.Decrypt(key, usage, new byte[64]));
        }
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void KeyOfWrongLength_IsRejected(EncryptionType type)
    {
        var encryption = KerberosEncryption.Get(type);

        foreach (var length in new[] { 0, encryption.KeySize - 1, encryption.KeySize + 1, 24 })
        {
            var key = new byte[length];
            Assert.Throws<ArgumentException>(() => encryption.Encrypt(key, 1, []));
            Assert.Throws<ArgumentException>(() => encryption.Decrypt(key, 1, new byte[64]));
        }
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void ConfounderOfWrongLength_IsRejected(EncryptionType type)
    {
        var encryption = KerberosEncryption.Get(type);

        Assert.Throws<ArgumentException>(() => encryption.Encrypt(new byte[encryption.KeySize], 1, [], new byte[7]));
    }

    [Theory]
    [InlineData(EncryptionType.Aes128CtsHmacSha196, "")]
    [InlineData(EncryptionType.Aes256CtsHmacSha196, "001000")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, "0000800000")]
    public void StringToKey_MalformedAesParameters_IsRejected(EncryptionType type, string parametersHex)
    {
        var encryption = KerberosEncryption.Get(type);

        Assert.Throws<ArgumentException>(() => encryption.StringToKey("password", "salt", Convert.FromHexString(parametersHex)));
    }

    [Theory]
    [InlineData(EncryptionType.Aes256CtsHmacSha196, "80000000")]
    [InlineData(EncryptionType.Aes128CtsHmacSha256128, "00000000")]
    public void AnIterationCountOf2To31OrMoreIsRefusedInsteadOfDerived(EncryptionType type, string parametersHex)
    {
        var encryption = KerberosEncryption.Get(type);

        Assert.Throws<ArgumentException>(() => encryption.StringToKey("password", "salt", Convert.FromHexString(parametersHex)));
    }

    [Theory]
    [InlineData(null, 4096L)]
    [InlineData("00000001", 1L)]
    [InlineData("00008000", 32768L)]
    [InlineData("ffffffff", 4294967295L)]
    [InlineData("00000000", 4294967296L)]
    public void IterationCount_ReadsBigEndianWithZeroMeaningTwoToThe32(string? parametersHex, long expected)
    {
        var parameters = parametersHex is null ? null : Convert.FromHexString(parametersHex);

        Assert.Equal(expected, AesCtsHmacEncryption.IterationCount(parameters, 4096));
    }

    [Fact]
    public void Rc4_StringToKey_IgnoresSaltAndParameters()
    {
        var rc4 = KerberosEncryption.Get(EncryptionType.Rc4Hmac);

        Assert.Equal(rc4.StringToKey("foo", "", null), rc4.StringToKey("foo", "EXAMPLE.COMuser", [1, 2, 3]));
    }
}
