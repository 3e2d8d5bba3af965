using System;
using System.Linq;
using KdcHa.Kerberos.Messages;

namespace KdcHa.Tests.Kerberos.Messages;

public class AsRequestTests
{
    private static readonly DateTime GoldenTill = new(2037, 9, 13, 2, 48, 5, DateTimeKind.Utc);

    [Fact]
    public void Encode_ReproducesTheGoldenVectorMitAnswered()
    {
        var request = GoldenRequest();

        Assert.Equal(SampleMessages.GoldenAsRequestHex, Convert.ToHexString(request.Encode()).ToLowerInvariant());
        Assert.Equal(129, request.Encode().Length);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0x80000000u)]
    [InlineData(0xFFFFFFFFu)]
    public void Encode_WritesNonceAsMinimalUnsignedInteger(uint nonce)
    {
        var encoded = Convert.ToHexString(GoldenRequest(nonce: nonce).Encode());

        Assert.Contains(Convert.ToHexString(Der.Explicit(7, Der.Integer(nonce))), encoded);
    }

    [Fact]
    public void Encode_WritesPreAuthenticationAsField3()
    {
        var timestamp = new PaData(PaDataType.EncTimestamp, new byte[] { 1, 2, 3 });
        var pacRequest = new PaData { Type = PaDataType.PacRequest, Value = new byte[] { 0x30, 0x00 } };
        var request = GoldenRequest(preAuthentication: new[] { timestamp, pacRequest });

        var expected = Der.Application(
            10,
            Der.Explicit(1, Der.Integer(5)),
            Der.Explicit(2, Der.Integer(10)),
            Der.Explicit(3, Der.Sequence(Der.PaData(2, new byte[] { 1, 2, 3 }), Der.PaData(128, new byte[] { 0x30, 0x00 }))),
            Der.Explicit(4, GoldenBody()));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(request.Encode()));
    }

    [Fact]
    public void Encode_TreatsUnspecifiedTillAsUtc()
    {
        var request = GoldenRequest(till: DateTime.SpecifyKind(GoldenTill, DateTimeKind.Unspecified));

        Assert.Equal(SampleMessages.GoldenAsRequestHex, Convert.ToHexString(request.Encode()).ToLowerInvariant());
    }

    [Fact]
    public void Encode_RejectsAnEmptyEncryptionTypeList()
    {
        var request = GoldenRequest(encryptionTypes: Array.Empty<int>());

        Assert.Throws<InvalidOperationException>(() => request.Encode());
    }

    private static byte[] GoldenBody() => Der.Sequence(
        Der.Explicit(0, Der.Flags(0x10)),
        Der.Explicit(1, Der.Principal(1, "bob")),
        Der.Explicit(2, Der.GeneralString("KDCHA.TEST")),
        Der.Explicit(3, Der.Principal(2, "krbtgt", "KDCHA.TEST")),
        Der.Explicit(5, Der.Time("20370913024805Z")),
        Der.Explicit(7, Der.Integer(0x12345678)),
        Der.Explicit(8, Der.Sequence(Der.Integer(18), Der.Integer(17))));

    private static AsRequest GoldenRequest(
        uint nonce = 0x12345678,
        PaData[]? preAuthentication = null,
        DateTime? till = null,
        int[]? encryptionTypes = null) => new()
    {
        Client = PrincipalName.Parse("bob"),
        Realm = "KDCHA.TEST",
        Nonce = nonce,
        EncryptionTypes = encryptionTypes ?? new[] { 18, 17 },
        PreAuthentication = preAuthentication ?? Array.Empty<PaData>(),
        Till = till ?? GoldenTill,
        KdcOptions = AsRequest.RenewableOk,
    };
}
