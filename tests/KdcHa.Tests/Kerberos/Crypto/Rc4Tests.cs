using System;
using System.Text;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

public class Rc4Tests
{
    // The classic published RC4 examples.
    [Theory]
    [InlineData("Key", "Plaintext", "bbf316e8d940af0ad3")]
    [InlineData("Wiki", "pedia", "1021bf0420")]
    [InlineData("Secret", "Attack at dawn", "45a01f645fc35b383552544b9bf5")]
    public void Transform_MatchesKnownVectors(string key, string plaintext, string expectedHex)
    {
        var ciphertext = Rc4.Transform(Encoding.ASCII.GetBytes(key), Encoding.ASCII.GetBytes(plaintext));

        Assert.Equal(expectedHex, Convert.ToHexStringLower(ciphertext));
        Assert.Equal(plaintext, Encoding.ASCII.GetString(Rc4.Transform(Encoding.ASCII.GetBytes(key), ciphertext)));
    }

    // RFC 6229 §2, 40-bit key 0102030405, keystream at offsets 0 and 16.
    [Fact]
    public void Transform_OfZeros_IsRfc6229Keystream()
    {
        var keystream = Rc4.Transform(Convert.FromHexString("0102030405"), new byte[32]);

        Assert.Equal("b2396305f03dc027ccc3524a0a1118a86982944f18fc82d589c403a47a0d0919", Convert.ToHexStringLower(keystream));
    }
}
