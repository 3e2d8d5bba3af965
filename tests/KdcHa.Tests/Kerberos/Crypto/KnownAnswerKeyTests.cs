using System;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

/// <summary>Keys produced by MIT krb5 1.20 ktutil (reference §6), and RFC 4757's example.</summary>
public class KnownAnswerKeyTests
{
    [Theory]
    [InlineData("arcfour-hmac", "password", "KDCHA.TESTbob", "8846f7eaee8fb117ad06bdd830b7586c")]
    [InlineData("aes128-cts-hmac-sha1-96", "password", "KDCHA.TESTbob", "2bb4a3b63303668005287a79a47b015a")]
    [InlineData("aes256-cts-hmac-sha1-96", "password", "KDCHA.TESTbob", "d085a9d8f0e00c9e0ec0a1ec1c9053de9dc8c4122b53d2679f1087e77c3530df")]
    [InlineData("aes128-cts-hmac-sha256-128", "password", "KDCHA.TESTbob", "48ccfab9d6adf6f1d960c80dd859c818")]
    [InlineData("aes256-cts-hmac-sha384-192", "password", "KDCHA.TESTbob", "8da94cf98c5d519e6d560af7b926f8d5895a63f59d213487a09203b6fb322a05")]
    [InlineData("arcfour-hmac", "P@ssw0rd!", "EXAMPLE.COMuser", "217e50203a5aba59cefa863c724bf61b")]
    [InlineData("aes128-cts-hmac-sha1-96", "P@ssw0rd!", "EXAMPLE.COMuser", "017aa4675c689897dac79b6fbbe1f2bd")]
    [InlineData("aes256-cts-hmac-sha1-96", "P@ssw0rd!", "EXAMPLE.COMuser", "266230bef8b4d4fa42d408396916a82fd655b1e62dd838a27bf3b3ea41b5ffb1")]
    [InlineData("aes128-cts-hmac-sha256-128", "P@ssw0rd!", "EXAMPLE.COMuser", "8bd149010c27ba6ddd5681ac70bcf1ca")]
    [InlineData("aes256-cts-hmac-sha384-192", "P@ssw0rd!", "EXAMPLE.COMuser", "91b1c71a9acbe38462c1714faa0a3e042414b5bc1bb5a060e3f8bec0f984a857")]
    [InlineData("aes256-cts-hmac-sha1-96", "P@ssw0rd!", "EXAMPLE.COMhostkdc1.example.com", "6e1059da2c0366a1146bd2dc7fe55fe48b60f997ea9bbc3aaba8ff5da3372a03")]
    [InlineData("arcfour-hmac", "foo", "ignored", "ac8e657f83df82beea5d43bdaf7800cc")]
    public void StringToKey_WithDefaultParameters_MatchesMitKey(string mitName, string password, string salt, string expectedHex)
    {
        Assert.True(EncryptionTypeNames.TryParse(mitName, out var type));

        var key = KerberosEncryption.Get(type).StringToKey(password, salt, null);

        Assert.Equal(expectedHex, Convert.ToHexStringLower(key));
    }

    [Theory]
    [InlineData(EncryptionType.Aes256CtsHmacSha196, "00001000")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, "00008000")]
    public void StringToKey_ExplicitDefaultIterationCount_EqualsAbsentParameters(EncryptionType type, string parametersHex)
    {
        var encryption = KerberosEncryption.Get(type);

        Assert.Equal(
            encryption.StringToKey("password", "KDCHA.TESTbob", null),
            encryption.StringToKey("password", "KDCHA.TESTbob", Convert.FromHexString(parametersHex)));
    }
}
