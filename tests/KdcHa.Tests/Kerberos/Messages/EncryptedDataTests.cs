using System;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Messages;

namespace KdcHa.Tests.Kerberos.Messages;

public class EncryptedDataTests
{
    [Theory]
    [InlineData(18, null)]
    [InlineData(17, 0L)]
    [InlineData(23, 2L)]
    [InlineData(20, 0xFFFFFFFFL)]
    public void Encode_MatchesHandBuiltDerAndDecodesBack(int etype, long? kvno)
    {
        var cipher = new byte[] { 0xDE, 0xAD, 0xBE, 0xEF };
        var data = new EncryptedData(etype, (uint?)kvno, cipher);

        var encoded = data.Encode();
        var decoded = EncryptedData.Decode(encoded);

        Assert.Equal(Convert.ToHexString(SampleMessages.EncryptedData(etype, kvno, cipher)), Convert.ToHexString(encoded));
        Assert.Equal(etype, decoded.EncryptionType);
        Assert.Equal((uint?)kvno, decoded.KeyVersion);
        Assert.Equal(cipher, decoded.Cipher);
    }

    [Fact]
    public void Decode_ReadsANegativeKvnoAsItsUnsignedValue()
    {
        var decoded = EncryptedData.Decode(SampleMessages.EncryptedData(18, -2, new byte[1]));

        Assert.Equal(0xFFFFFFFEu, decoded.KeyVersion);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3000")]
    [InlineData("3005a003020112")]
    [InlineData("3009a003020112a2020400ff")]
    [InlineData("300ea1030201 02a0030201 12a2020400")]
    [InlineData("300da003020112a2020400a0020500")]
    public void Decode_RejectsMalformedInput(string hex)
    {
        Assert.Throws<KerberosProtocolException>(() => EncryptedData.Decode(Der.Hex(hex.Replace(" ", string.Empty))));
    }

    [Fact]
    public void Decode_SkipsUnknownContextTags()
    {
        var encoded = Der.Sequence(
            Der.Explicit(0, Der.Integer(18)),
            Der.Explicit(2, Der.OctetString(new byte[] { 7 })),
            Der.Explicit(9, Der.Sequence(Der.Integer(1), Der.GeneralString("future"))));

        Assert.Equal(new byte[] { 7 }, EncryptedData.Decode(encoded).Cipher);
    }
}
