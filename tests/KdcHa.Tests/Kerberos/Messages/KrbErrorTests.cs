using System;
using System.Linq;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Messages;

namespace KdcHa.Tests.Kerberos.Messages;

public class KrbErrorTests
{
    [Fact]
    public void Decode_MitPreAuthRequired_ExposesMethodDataAndETypeInfo2()
    {
        var error = DecodeError(SampleMessages.KrbError(25, Der.Hex(SampleMessages.MitPreAuthRequiredEDataHex)));

        Assert.Equal(KerberosErrorCode.PreAuthenticationRequired, error.ErrorCode);
        Assert.Equal(25, error.RawErrorCode);
        Assert.Equal(new DateTime(2026, 11, 24, 19, 37, 18, DateTimeKind.Utc).AddTicks(1_234_560), error.ServerTime);
        Assert.Equal(DateTimeKind.Utc, error.ServerTime.Kind);
        Assert.Null(error.ClientTime);
        Assert.Equal("KDCHA.TEST", error.Realm);
        Assert.Equal("krbtgt/KDCHA.TEST", error.ServerName?.ToString());
        Assert.Equal("NEEDED_PREAUTH", error.ErrorText);
        Assert.Equal(new[] { 136, 19, 2, 133 }, error.MethodData.Select(p => p.Type));
        Assert.Equal("MIT", System.Text.Encoding.ASCII.GetString(error.MethodData[3].Value));
        var entry = Assert.Single(error.ETypeInfo2);
        Assert.Equal(18, entry.EncryptionType);
        Assert.Equal("KDCHA.TESTbob", entry.Salt);
        Assert.Null(entry.S2kParameters);
    }

    [Fact]
    public void Decode_ReadsOptionalClientFieldsAndSkipsUnknownTags()
    {
        var error = DecodeError(Der.Application(
            30,
            Der.Explicit(0, Der.Integer(5)),
            Der.Explicit(1, Der.Integer(30)),
            Der.Explicit(2, Der.Time("20261124193700Z")),
            Der.Explicit(3, Der.Integer(7)),
            Der.Explicit(4, Der.Time("20261124193718Z")),
            Der.Explicit(5, Der.Integer(0)),
            Der.Explicit(6, Der.Integer(6)),
            Der.Explicit(7, Der.GeneralString("KDCHA.TEST")),
            Der.Explicit(8, Der.Principal(1, "nobody")),
            Der.Explicit(9, Der.GeneralString("KDCHA.TEST")),
            Der.Explicit(10, Der.Principal(2, "krbtgt", "KDCHA.TEST")),
            Der.Explicit(13, Der.OctetString(new byte[] { 1 }))));

        Assert.Equal(KerberosErrorCode.ClientPrincipalUnknown, error.ErrorCode);
        Assert.Equal(new DateTime(2026, 11, 24, 19, 37, 0, DateTimeKind.Utc).AddTicks(70), error.ClientTime);
        Assert.Equal("KDCHA.TEST", error.ClientRealm);
        Assert.Equal("nobody", error.ClientName?.ToString());
        Assert.Null(error.ErrorData);
        Assert.Empty(error.MethodData);
        Assert.Empty(error.ETypeInfo2);
    }

    [Theory]
    [InlineData(0, KerberosErrorCode.None)]
    [InlineData(6, KerberosErrorCode.ClientPrincipalUnknown)]
    [InlineData(7, KerberosErrorCode.ServerPrincipalUnknown)]
    [InlineData(12, KerberosErrorCode.Policy)]
    [InlineData(14, KerberosErrorCode.EncryptionTypeNotSupported)]
    [InlineData(16, KerberosErrorCode.PaDataTypeNotSupported)]
    [InlineData(18, KerberosErrorCode.ClientRevoked)]
    [InlineData(23, KerberosErrorCode.KeyExpired)]
    [InlineData(24, KerberosErrorCode.PreAuthenticationFailed)]
    [InlineData(25, KerberosErrorCode.PreAuthenticationRequired)]
    [InlineData(29, KerberosErrorCode.ServiceUnavailable)]
    [InlineData(31, KerberosErrorCode.BadIntegrity)]
    [InlineData(37, KerberosErrorCode.ClockSkew)]
    [InlineData(52, KerberosErrorCode.ResponseTooBig)]
    [InlineData(60, KerberosErrorCode.Generic)]
    [InlineData(61, KerberosErrorCode.FieldTooLong)]
    [InlineData(68, KerberosErrorCode.WrongRealm)]
    [InlineData(90, KerberosErrorCode.PreAuthExpired)]
    [InlineData(91, KerberosErrorCode.MorePreAuthDataRequired)]
    [InlineData(92, KerberosErrorCode.PreAuthBadAuthenticationSet)]
    [InlineData(93, KerberosErrorCode.UnknownCriticalFastOptions)]
    [InlineData(-1765328359, (KerberosErrorCode)(-1765328359))]
    [InlineData(4242, (KerberosErrorCode)4242)]
    public void Decode_MapsErrorCodes(int code, KerberosErrorCode expected)
    {
        var error = DecodeError(SampleMessages.KrbError(code, eData: null));

        Assert.Equal(expected, error.ErrorCode);
        Assert.Equal(code, error.RawErrorCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("deadbeef")]
    [InlineData("3003020101")]
    [InlineData("3010300ea003020103a107040500000000ff")]
    [InlineData("300e300ca003020103a1050403000000")]
    public void Decode_KeepsTheErrorWhenEDataIsNotMethodData(string eDataHex)
    {
        var error = DecodeError(SampleMessages.KrbError(24, Der.Hex(eDataHex)));

        Assert.Equal(KerberosErrorCode.PreAuthenticationFailed, error.ErrorCode);
        Assert.Equal(Der.Hex(eDataHex), error.ErrorData);
        Assert.Empty(error.MethodData);
        Assert.Empty(error.ETypeInfo2);
    }

    [Fact]
    public void Decode_KeepsMethodDataWhenItsETypeInfo2IsMalformed()
    {
        var methodData = Der.Sequence(Der.PaData(19, new byte[] { 0x30, 0x05, 0x01 }), Der.PaData(2, Array.Empty<byte>()));

        var error = DecodeError(SampleMessages.KrbError(25, methodData));

        Assert.Equal(new[] { 19, 2 }, error.MethodData.Select(p => p.Type));
        Assert.Empty(error.ETypeInfo2);
    }

    public static TheoryData<string, byte[]> MalformedErrors => new()
    {
        { "pvno 4", Der.Application(30, Der.Explicit(0, Der.Integer(4)), Der.Explicit(1, Der.Integer(30)), Der.Explicit(4, Der.Time("20261124193718Z")), Der.Explicit(5, Der.Integer(0)), Der.Explicit(6, Der.Integer(6)), Der.Explicit(9, Der.GeneralString("R"))) },
        { "msg-type 11", Der.Application(30, Der.Explicit(0, Der.Integer(5)), Der.Explicit(1, Der.Integer(11)), Der.Explicit(4, Der.Time("20261124193718Z")), Der.Explicit(5, Der.Integer(0)), Der.Explicit(6, Der.Integer(6)), Der.Explicit(9, Der.GeneralString("R"))) },
        { "no stime", Der.Application(30, Der.Explicit(0, Der.Integer(5)), Der.Explicit(1, Der.Integer(30)), Der.Explicit(5, Der.Integer(0)), Der.Explicit(6, Der.Integer(6)), Der.Explicit(9, Der.GeneralString("R"))) },
        { "susec 1000000", Der.Application(30, Der.Explicit(0, Der.Integer(5)), Der.Explicit(1, Der.Integer(30)), Der.Explicit(4, Der.Time("20261124193718Z")), Der.Explicit(5, Der.Integer(1_000_000)), Der.Explicit(6, Der.Integer(6)), Der.Explicit(9, Der.GeneralString("R"))) },
        { "error-code too big", Der.Application(30, Der.Explicit(0, Der.Integer(5)), Der.Explicit(1, Der.Integer(30)), Der.Explicit(4, Der.Time("20261124193718Z")), Der.Explicit(5, Der.Integer(0)), Der.Explicit(6, Der.Integer(1L << 40)), Der.Explicit(9, Der.GeneralString("R"))) },
        { "trailing byte", SampleMessages.KrbError(6, null).Append((byte)0).ToArray() },
        { "not a reply tag", Der.Application(10, Der.Explicit(0, Der.Integer(5))) },
        { "empty", Array.Empty<byte>() },
    };

    [Theory]
    [MemberData(nameof(MalformedErrors))]
    public void Decode_RejectsMalformedErrors(string because, byte[] encoded)
    {
        var ex = Assert.Throws<KerberosProtocolException>(() => KerberosReply.Decode(encoded));
        Assert.False(string.IsNullOrEmpty(ex.Message), because);
    }

    private static KrbError DecodeError(byte[] encoded) => Assert.IsType<KrbError>(KerberosReply.Decode(encoded));
}
