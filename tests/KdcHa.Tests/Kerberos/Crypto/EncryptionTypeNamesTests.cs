using System;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

public class EncryptionTypeNamesTests
{
    public static TheoryData<EncryptionType> AllTypes => EncryptionTestData.AllTypes;

    [Theory]
    [InlineData("aes128-cts-hmac-sha1-96", EncryptionType.Aes128CtsHmacSha196)]
    [InlineData("aes128-cts", EncryptionType.Aes128CtsHmacSha196)]
    [InlineData("aes128-sha1", EncryptionType.Aes128CtsHmacSha196)]
    [InlineData("aes256-cts-hmac-sha1-96", EncryptionType.Aes256CtsHmacSha196)]
    [InlineData("aes256-cts", EncryptionType.Aes256CtsHmacSha196)]
    [InlineData("aes256-sha1", EncryptionType.Aes256CtsHmacSha196)]
    [InlineData("aes128-cts-hmac-sha256-128", EncryptionType.Aes128CtsHmacSha256128)]
    [InlineData("aes128-sha2", EncryptionType.Aes128CtsHmacSha256128)]
    [InlineData("aes256-cts-hmac-sha384-192", EncryptionType.Aes256CtsHmacSha384192)]
    [InlineData("aes256-sha2", EncryptionType.Aes256CtsHmacSha384192)]
    [InlineData("arcfour-hmac", EncryptionType.Rc4Hmac)]
    [InlineData("rc4-hmac", EncryptionType.Rc4Hmac)]
    [InlineData("arcfour-hmac-md5", EncryptionType.Rc4Hmac)]
    [InlineData("AES256-CTS-HMAC-SHA1-96", EncryptionType.Aes256CtsHmacSha196)]
    [InlineData(" RC4-HMAC ", EncryptionType.Rc4Hmac)]
    public void TryParse_AcceptsMitNamesAndAliases(string name, EncryptionType expected)
    {
        Assert.True(EncryptionTypeNames.TryParse(name, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData("")]
    [InlineData("des-cbc-crc")]
    [InlineData("des3-cbc-sha1")]
    [InlineData("arcfour-hmac-exp")]
    [InlineData("camellia256-cts-cmac")]
    [InlineData("aes")]
    [InlineData("18")]
    public void TryParse_RejectsUnsupportedNames(string name)
    {
        Assert.False(EncryptionTypeNames.TryParse(name, out _));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void ToMitName_RoundTripsThroughTryParse(EncryptionType type)
    {
        Assert.True(EncryptionTypeNames.TryParse(EncryptionTypeNames.ToMitName(type), out var parsed));
        Assert.Equal(type, parsed);
    }

    [Fact]
    public void ToMitName_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EncryptionTypeNames.ToMitName((EncryptionType)16));
    }
}
