using System;
using System.Linq;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Messages;

namespace KdcHa.Tests.Kerberos.Messages;

public class AsReplyTests
{
    [Theory]
    [InlineData(null)]
    [InlineData(3L)]
    [InlineData(0xFFFFFFFFL)]
    public void Decode_ReadsAllFieldsAndKeepsTheTicketOpaque(long? kvno)
    {
        var cipher = Enumerable.Range(0, 60).Select(i => (byte)i).ToArray();

        var reply = Assert.IsType<AsReply>(KerberosReply.Decode(SampleMessages.AsReply(SampleMessages.EncryptedData(18, kvno, cipher))));

        Assert.Equal("KDCHA.TEST", reply.ClientRealm);
        Assert.Equal(PrincipalName.Parse("bob"), reply.ClientName);
        Assert.Equal(1, reply.ClientName.NameType);
        var etypeInfo = Assert.Single(reply.PreAuthentication);
        Assert.Equal(PaDataType.ETypeInfo2, etypeInfo.Type);
        Assert.Equal(SampleMessages.ETypeInfo2(18, "KDCHA.TESTbob"), etypeInfo.Value);
        Assert.Equal(SampleMessages.Ticket, reply.Ticket);
        Assert.Equal(18, reply.EncryptedPart.EncryptionType);
        Assert.Equal((uint?)kvno, reply.EncryptedPart.KeyVersion);
        Assert.Equal(cipher, reply.EncryptedPart.Cipher);
    }

    [Fact]
    public void Decode_RejectsATicketThatIsNotApplication1()
    {
        var encoded = Der.Application(
            11,
            Der.Explicit(0, Der.Integer(5)),
            Der.Explicit(1, Der.Integer(11)),
            Der.Explicit(3, Der.GeneralString("KDCHA.TEST")),
            Der.Explicit(4, Der.Principal(1, "bob")),
            Der.Explicit(5, Der.Sequence(Der.Integer(5))),
            Der.Explicit(6, SampleMessages.EncryptedData(18, null, new byte[1])));

        Assert.Throws<KerberosProtocolException>(() => KerberosReply.Decode(encoded));
    }

    [Fact]
    public void Decode_RejectsMoreThan64PaData()
    {
        var tooMany = Enumerable.Range(0, 65).Select(_ => Der.PaData(3, Array.Empty<byte>())).ToArray();
        var encoded = Der.Application(
            11,
            Der.Explicit(0, Der.Integer(5)),
            Der.Explicit(1, Der.Integer(11)),
            Der.Explicit(2, Der.Sequence(tooMany)));

        Assert.Throws<KerberosProtocolException>(() => KerberosReply.Decode(encoded));
    }

    [Theory]
    [InlineData(16, false)]
    [InlineData(17, true)]
    public void Decode_BoundsNameComponents(int componentCount, bool rejected)
    {
        var components = Enumerable.Range(0, componentCount).Select(i => "c" + i).ToArray();
        var encoded = Der.Application(
            11,
            Der.Explicit(0, Der.Integer(5)),
            Der.Explicit(1, Der.Integer(11)),
            Der.Explicit(3, Der.GeneralString("KDCHA.TEST")),
            Der.Explicit(4, Der.Principal(1, components)),
            Der.Explicit(5, SampleMessages.Ticket),
            Der.Explicit(6, SampleMessages.EncryptedData(18, null, new byte[1])));

        var decode = () => KerberosReply.Decode(encoded);

        if (rejected)
        {
            Assert.Throws<KerberosProtocolException>(decode);
        }
        else
        {
            Assert.Equal(componentCount, Assert.IsType<AsReply>(decode()).ClientName.Components.Count);
        }
    }
}
