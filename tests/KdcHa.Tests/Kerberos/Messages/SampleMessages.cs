using System.Linq;

namespace KdcHa.Tests.Kerberos.Messages;

/// <summary>Valid messages shared by the decoder tests and the fuzz seeds.</summary>
internal static class SampleMessages
{
    public const string GoldenAsRequestHex =
        "6a7f307da103020105a20302010aa471306fa00703050000000010a110300ea003020101a10730051b03626f62a20c1b0a4b444348412e54455354a31f301da003020102a11630141b066b72627467741b0a4b444348412e54455354a511180f32303337303931333032343830355aa706020412345678a8083006020112020111";

    /// <summary>e-data of MIT 1.20's PREAUTH_REQUIRED for bob, request etypes 18,17 (reference §1.4).</summary>
    public const string MitPreAuthRequiredEDataHex =
        "304b300aa10402020088a20204003023a103020113a21c041a30183016a003020112a10f1b0d4b444348412e54455354626f623009a103020102a2020400300da10402020085a20504034d4954";

    public static readonly byte[] Ticket = Der.Application(
        1,
        Der.Explicit(0, Der.Integer(5)),
        Der.Explicit(1, Der.GeneralString("KDCHA.TEST")),
        Der.Explicit(2, Der.Principal(2, "krbtgt", "KDCHA.TEST")),
        Der.Explicit(3, EncryptedData(18, 1, new byte[40])));

    public static byte[] EncryptedData(int etype, long? kvno, byte[] cipher) => Der.Sequence(
        new[] { Der.Explicit(0, Der.Integer(etype)) }
            .Concat(kvno is { } v ? new[] { Der.Explicit(1, Der.Integer(v)) } : [])
            .Append(Der.Explicit(2, Der.OctetString(cipher)))
            .ToArray());

    public static byte[] ETypeInfo2(int etype, string salt) =>
        Der.Sequence(Der.Sequence(Der.Explicit(0, Der.Integer(etype)), Der.Explicit(1, Der.GeneralString(salt))));

    public static byte[] KrbError(int errorCode, byte[]? eData, params byte[][] extraFields) =>
        KrbErrorAt("20261124193718Z", errorCode, eData, extraFields);

    public static byte[] KrbErrorAt(string serverTime, int errorCode, byte[]? eData, params byte[][] extraFields)
    {
        var fields = new[]
        {
            Der.Explicit(0, Der.Integer(5)),
            Der.Explicit(1, Der.Integer(30)),
            Der.Explicit(4, Der.Time(serverTime)),
            Der.Explicit(5, Der.Integer(123456)),
            Der.Explicit(6, Der.Integer(errorCode)),
            Der.Explicit(9, Der.GeneralString("KDCHA.TEST")),
            Der.Explicit(10, Der.Principal(2, "krbtgt", "KDCHA.TEST")),
            Der.Explicit(11, Der.GeneralString("NEEDED_PREAUTH")),
        }.Concat(extraFields);
        if (eData is not null)
        {
            fields = fields.Append(Der.Explicit(12, Der.OctetString(eData)));
        }

        return Der.Application(30, fields.ToArray());
    }

    public static byte[] AsReply(byte[] encryptedPart) => Der.Application(
        11,
        Der.Explicit(0, Der.Integer(5)),
        Der.Explicit(1, Der.Integer(11)),
        Der.Explicit(2, Der.Sequence(Der.PaData(19, ETypeInfo2(18, "KDCHA.TESTbob")))),
        Der.Explicit(3, Der.GeneralString("KDCHA.TEST")),
        Der.Explicit(4, Der.Principal(1, "bob")),
        Der.Explicit(5, Ticket),
        Der.Explicit(6, encryptedPart));

    public static byte[] EncKdcReplyPart(int applicationTag, long nonce = 0x12345678, string authTime = "20261124193718Z") => Der.Application(
        applicationTag,
        Der.Explicit(0, Der.Sequence(Der.Explicit(0, Der.Integer(18)), Der.Explicit(1, Der.OctetString(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray())))),
        Der.Explicit(1, Der.Sequence(Der.Sequence(Der.Explicit(0, Der.Integer(0)), Der.Explicit(1, Der.Time("20261124193718Z"))))),
        Der.Explicit(2, Der.Integer(nonce)),
        Der.Explicit(4, Der.Flags(0x40E10000)),
        Der.Explicit(5, Der.Time(authTime)),
        Der.Explicit(6, Der.Time("20261124193719Z")),
        Der.Explicit(7, Der.Time("20261125053718Z")),
        Der.Explicit(8, Der.Time("20261201193718Z")),
        Der.Explicit(9, Der.GeneralString("KDCHA.TEST")),
        Der.Explicit(10, Der.Principal(2, "krbtgt", "KDCHA.TEST")));
}
