using System;
using System.Text;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

public class AesCtsTests
{
    private static readonly byte[] Key = Convert.FromHexString("636869636b656e207465726979616b69");
    private static readonly byte[] Input = Encoding.ASCII.GetBytes("I would like the General Gau's Chicken, please, and wonton soup.");

    // RFC 3962 Appendix B.
    [Theory]
    [InlineData(17, "c6353568f2bf8cb4d8a580362da7ff7f97")]
    [InlineData(31, "fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5")]
    [InlineData(32, "39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584")]
    [InlineData(47, "97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5")]
    [InlineData(48, "97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8")]
    [InlineData(64, "97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8")]
    public void EncryptAndDecrypt_MatchRfc3962Vectors(int length, string expectedHex)
    {
        var plaintext = Input[..length];

        var ciphertext = AesCts.Encrypt(Key, plaintext);

        Assert.Equal(expectedHex, Convert.ToHexStringLower(ciphertext));
        Assert.Equal(plaintext, AesCts.Decrypt(Key, ciphertext));
    }

    [Fact]
    public void Encrypt_SingleBlock_IsPlainAes()
    {
        // In the RFC 3962 vectors of 32 bytes and up, the first CBC block is AES of the first 16 input bytes.
        var ciphertext = AesCts.Encrypt(Key, Input[..16]);

        Assert.Equal("97687268d6ecccc0c07b25e25ecfe584", Convert.ToHexStringLower(ciphertext));
        Assert.Equal(Input[..16], AesCts.Decrypt(Key, ciphertext));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    public void ShorterThanOneBlock_IsRejected(int length)
    {
        Assert.Throws<ArgumentException>(() => AesCts.Encrypt(Key, new byte[length]));
        Assert.Throws<ArgumentException>(() => AesCts.Decrypt(Key, new byte[length]));
    }
}
