using System;
using System.Formats.Asn1;
using System.Globalization;
using System.Security;
using KdcHa.Kerberos.Crypto;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;
using KdcHa.Tests.Kerberos.Messages;

namespace KdcHa.Tests.Kerberos.Health;

/// <summary>KDC replies stamped with the current time, and a reader for the parts of our AS-REQ a KDC would check.</summary>
internal static class ProbeMessages
{
    public const string Password = "password";

    /// <summary>bob@KDCHA.TEST, password "password", aes256-cts-hmac-sha1-96, default salt (reference §6).</summary>
    public static readonly byte[] BobKey = Der.Hex("d085a9d8f0e00c9e0ec0a1ec1c9053de9dc8c4122b53d2679f1087e77c3530df");

    public static string Now => DateTime.UtcNow.ToString("yyyyMMddHHmmss'Z'", CultureInfo.InvariantCulture);

    public static KdcProbeRequest Request(KdcProbeLevel level, bool clientIsExpected = true, IClientKeySource? keys = null) =>
        new(KdcEndpoint.Parse("127.0.0.1"), "KDCHA.TEST", PrincipalName.Parse("bob"), clientIsExpected)
        {
            Level = level,
            KeySource = keys,
        };

    public static PasswordKeySource BobPassword()
    {
        var password = new SecureString();
        foreach (var character in Password)
        {
            password.AppendChar(character);
        }

        return new PasswordKeySource(password);
    }

    public static byte[] Error(int code, byte[]? eData = null) => SampleMessages.KrbErrorAt(Now, code, eData);

    public static byte[] PreAuthRequired(byte[]? s2kParameters = null)
    {
        var entry = s2kParameters is null
            ? SampleMessages.ETypeInfo2(18, "KDCHA.TESTbob")
            : Der.Sequence(Der.Sequence(Der.Explicit(0, Der.Integer(18)), Der.Explicit(1, Der.GeneralString("KDCHA.TESTbob")), Der.Explicit(2, Der.OctetString(s2kParameters))));
        return Error(25, Der.Sequence(Der.PaData(19, entry), Der.PaData(2, Array.Empty<byte>())));
    }

    /// <summary>An AS-REP whose enc-part is encrypted with <paramref name="key"/> and carries <paramref name="nonce"/>.</summary>
    public static byte[] Ticket(byte[] key, long nonce)
    {
        var part = SampleMessages.EncKdcReplyPart(26, nonce, Now);
        var cipher = KerberosEncryption.Get(EncryptionType.Aes256CtsHmacSha196).Encrypt(key, 3, part);
        return SampleMessages.AsReply(SampleMessages.EncryptedData(18, 1, cipher));
    }

    public static uint NonceOf(byte[] asRequest) => (uint)ReadBodyField(asRequest, 7).ReadInteger();

    public static bool HasPreAuthentication(byte[] asRequest) => FindField(asRequest, 3) is not null;

    /// <summary>Decrypts the request's PA-ENC-TIMESTAMP with the client key, as a KDC does to verify it.</summary>
    public static byte[] DecryptTimestamp(byte[] asRequest, byte[] key)
    {
        var padata = FindField(asRequest, 3) ?? throw new InvalidOperationException("The AS-REQ has no padata.");
        var entry = padata.ReadSequence().ReadSequence();
        Assert.Equal(2, (int)entry.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1)).ReadInteger());
        var encrypted = EncryptedData.Decode(entry.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2)).ReadOctetString());
        return KerberosEncryption.Get((EncryptionType)encrypted.EncryptionType).Decrypt(key, 1, encrypted.Cipher);
    }

    private static AsnReader Fields(byte[] asRequest) =>
        new AsnReader(asRequest, AsnEncodingRules.DER).ReadSequence(new Asn1Tag(TagClass.Application, 10));

    private static AsnReader? FindField(byte[] asRequest, int tag)
    {
        var fields = Fields(asRequest).ReadSequence();
        while (fields.HasData)
        {
            var next = fields.PeekTag();
            var field = fields.ReadSequence(next);
            if (next.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, tag)))
            {
                return field;
            }
        }

        return null;
    }

    private static AsnReader ReadBodyField(byte[] asRequest, int tag)
    {
        var body = (FindField(asRequest, 4) ?? throw new InvalidOperationException("The AS-REQ has no body.")).ReadSequence();
        while (body.HasData)
        {
            var next = body.PeekTag();
            var field = body.ReadSequence(next);
            if (next.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, tag)))
            {
                return field;
            }
        }

        throw new InvalidOperationException($"The AS-REQ body has no field [{tag}].");
    }
}
