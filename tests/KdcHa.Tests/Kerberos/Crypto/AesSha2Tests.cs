using System;
using System.Text;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

/// <summary>RFC 8009 Appendix A vectors.</summary>
public class AesSha2Tests
{
    private const string Aes128BaseKey = "3705d96080c17728a0e800eab6e0d23c";
    private const string Aes256BaseKey = "6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52";
    private const int Usage = 2;
    private static readonly byte[] Plaintext = Convert.FromHexString("000102030405060708090a0b0c0d0e0f1011121314");

    [Theory]
    [InlineData(EncryptionType.Aes128CtsHmacSha256128, "089bca48b105ea6ea77ca5d2f39dc5e7")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, "45bd806dbf6a833a9cffc1c94589a222367a79bc21c413718906e9f578a78467")]
    public void StringToKey_MatchesVector(EncryptionType type, string expectedHex)
    {
        // The salt is not valid UTF-8, so only the byte-salt overload can express it.
        var salt = Convert.FromHexString("10df9dd783e5bc8acea1730e74355f61" + Convert.ToHexString(Encoding.ASCII.GetBytes("ATHENA.MIT.EDUraeburn")));

        var key = KerberosEncryption.Get(type).StringToKey("password", salt, Convert.FromHexString("00008000"));

        Assert.Equal(expectedHex, Convert.ToHexStringLower(key));
    }

    [Theory]
    [InlineData(EncryptionType.Aes128CtsHmacSha256128, Aes128BaseKey, "Checksum", "b31a018a48f54776f403e9a396325dc3")]
    [InlineData(EncryptionType.Aes128CtsHmacSha256128, Aes128BaseKey, "Encryption", "9b197dd1e8c5609d6e67c3e37c62c72e")]
    [InlineData(EncryptionType.Aes128CtsHmacSha256128, Aes128BaseKey, "Integrity", "9fda0e56ab2d85e1569a688696c26a6c")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, Aes256BaseKey, "Checksum", "ef5718be86cc84963d8bbb5031e9f5c4ba41f28faf69e73d")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, Aes256BaseKey, "Encryption", "56ab22bee63d82d7bc5227f6773f8ea7a5eb1c825160c38312980c442e5c7e49")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, Aes256BaseKey, "Integrity", "69b16514e3cd8e56b82010d5c73012b622c4d00ffc23ed1f")]
    public void DeriveUsageKey_MatchesVector(EncryptionType type, string baseKeyHex, string kind, string expectedHex)
    {
        var key = EncryptionTestData.Aes(type).DeriveUsageKey(Convert.FromHexString(baseKeyHex), Usage, Enum.Parse<UsageKeyKind>(kind));

        Assert.Equal(expectedHex, Convert.ToHexStringLower(key));
    }

    [Theory]
    [InlineData(EncryptionType.Aes128CtsHmacSha256128, Aes128BaseKey, 0, "7e5895eaf2672435bad817f545a37148", "ef85fb890bb8472f4dab20394dca781dad877eda39d50c870c0d5a0a8e48c718")]
    [InlineData(EncryptionType.Aes128CtsHmacSha256128, Aes128BaseKey, 6, "7bca285e2fd4130fb55b1a5c83bc5b24", "84d7f30754ed987bab0bf3506beb09cfb55402cef7e6877ce99e247e52d16ed4421dfdf8976c")]
    [InlineData(EncryptionType.Aes128CtsHmacSha256128, Aes128BaseKey, 16, "56ab21713ff62c0a1457200f6fa9948f", "3517d640f50ddc8ad3628722b3569d2ae07493fa8263254080ea65c1008e8fc295fb4852e7d83e1e7c48c37eebe6b0d3")]
    [InlineData(EncryptionType.Aes128CtsHmacSha256128, Aes128BaseKey, 21, "a7a4e29a4728ce10664fb64e49ad3fac", "720f73b18d9859cd6ccb4346115cd336c70f58edc0c4437c5573544c31c813bce1e6d072c186b39a413c2f92ca9b8334a287ffcbfc")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, Aes256BaseKey, 0, "f764e9fa15c276478b2c7d0c4e5f58e4", "41f53fa5bfe7026d91faf9be959195a058707273a96a40f0a01960621ac612748b9bbfbe7eb4ce3c")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, Aes256BaseKey, 6, "b80d3251c1f6471494256ffe712d0b9a", "4ed7b37c2bcac8f74f23c1cf07e62bc7b75fb3f637b9f559c7f664f69eab7b6092237526ea0d1f61cb20d69d10f2")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, Aes256BaseKey, 16, "53bf8a0d105265d4e276428624ce5e63", "bc47ffec7998eb91e8115cf8d19dac4bbbe2e163e87dd37f49beca92027764f68cf51f14d798c2273f35df574d1f932e40c4ff255b36a266")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, Aes256BaseKey, 21, "763e65367e864f02f55153c7e3b58af1", "40013e2df58e8751957d2878bcd2d6fe101ccfd556cb1eae79db3c3ee86429f2b2a602ac86fef6ecb647d6295fae077a1feb517508d2c16b4192e01f62")]
    public void EncryptAndDecrypt_MatchVector(EncryptionType type, string baseKeyHex, int plaintextLength, string confounderHex, string expectedHex)
    {
        var encryption = KerberosEncryption.Get(type);
        var key = Convert.FromHexString(baseKeyHex);
        var plaintext = Plaintext[..plaintextLength];

        var ciphertext = encryption.Encrypt(key, Usage, plaintext, Convert.FromHexString(confounderHex));

        Assert.Equal(expectedHex, Convert.ToHexStringLower(ciphertext));
        Assert.Equal(plaintext, encryption.Decrypt(key, Usage, ciphertext));
    }

    [Theory]
    [InlineData(EncryptionType.Aes128CtsHmacSha256128, Aes128BaseKey, "d78367186643d67b411cba9139fc1dee")]
    [InlineData(EncryptionType.Aes256CtsHmacSha384192, Aes256BaseKey, "45ee791567eefca37f4ac1e0222de80d43c3bfa06699672a")]
    public void Checksum_MatchesVector(EncryptionType type, string baseKeyHex, string expectedHex)
    {
        var checksum = EncryptionTestData.Aes(type).Checksum(Convert.FromHexString(baseKeyHex), Usage, Plaintext);

        Assert.Equal(expectedHex, Convert.ToHexStringLower(checksum));
    }
}
