using System;
using System.Linq;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Messages;

namespace KdcHa.Tests.Kerberos.Messages;

public class EncKdcReplyPartTests
{
    [Theory]
    [InlineData(25)]
    [InlineData(26)]
    public void Decode_AcceptsEncAsRepPartAndEncTgsRepPart(int applicationTag)
    {
        var part = EncKdcReplyPart.Decode(SampleMessages.EncKdcReplyPart(applicationTag));

        Assert.Equal(18, part.Key.KeyType);
        Assert.Equal(Enumerable.Range(1, 32).Select(i => (byte)i), part.Key.KeyValue);
        Assert.Equal(0x12345678u, part.Nonce);
        Assert.Equal(0x40E10000u, part.Flags);
        Assert.Null(part.KeyExpiration);
        Assert.Equal(new DateTime(2026, 11, 24, 19, 37, 18, DateTimeKind.Utc), part.AuthTime);
        Assert.Equal(new DateTime(2026, 11, 24, 19, 37, 19, DateTimeKind.Utc), part.StartTime);
        Assert.Equal(new DateTime(2026, 11, 25, 5, 37, 18, DateTimeKind.Utc), part.EndTime);
        Assert.Equal(new DateTime(2026, 12, 1, 19, 37, 18, DateTimeKind.Utc), part.RenewTill);
        Assert.Equal("KDCHA.TEST", part.ServerRealm);
        Assert.Equal("krbtgt/KDCHA.TEST", part.ServerName.ToString());
    }

    [Theory]
    [InlineData("03020040", 0x40000000u)]
    [InlineData("0303004080", 0x40800000u)]
    [InlineData("030100", 0u)]
    public void Decode_AcceptsFlagsShorterThan32Bits(string bitStringHex, uint expected)
    {
        var encoded = MinimalPart(Der.Explicit(4, Der.Hex(bitStringHex)));

        Assert.Equal(expected, EncKdcReplyPart.Decode(encoded).Flags);
    }

    [Theory]
    [InlineData(24)]
    [InlineData(11)]
    [InlineData(30)]
    public void Decode_RejectsOtherApplicationTags(int applicationTag)
    {
        var encoded = SampleMessages.EncKdcReplyPart(applicationTag);

        Assert.Throws<KerberosProtocolException>(() => EncKdcReplyPart.Decode(encoded));
    }

    [Fact]
    public void Decode_RejectsAMissingNonce()
    {
        var encoded = MinimalPart(Der.Explicit(4, Der.Flags(0)), includeNonce: false);

        Assert.Throws<KerberosProtocolException>(() => EncKdcReplyPart.Decode(encoded));
    }

    private static byte[] MinimalPart(byte[] flagsField, bool includeNonce = true)
    {
        var fields = new[]
        {
            Der.Explicit(0, Der.Sequence(Der.Explicit(0, Der.Integer(17)), Der.Explicit(1, Der.OctetString(new byte[16])))),
            includeNonce ? Der.Explicit(2, Der.Integer(1)) : Array.Empty<byte>(),
            flagsField,
            Der.Explicit(5, Der.Time("20261124193718Z")),
            Der.Explicit(7, Der.Time("20261125053718Z")),
            Der.Explicit(9, Der.GeneralString("KDCHA.TEST")),
            Der.Explicit(10, Der.Principal(2, "krbtgt", "KDCHA.TEST")),
        };
        return Der.Application(26, fields);
    }
}
