using System;
using System.Collections.Generic;
using System.Linq;
using KdcHa.Common.DBus;

namespace KdcHa.Tests.DBus;

public class DBusMessageTests
{
    private const string EveryType = "ybnqiuxtdsogva(ys)a{sv}(u(s))aay";

    [Fact]
    public void DecodesBusctlsMethodCall()
    {
        var call = DBusMessage.Decode(DBusSamples.BusctlGetAll);

        Assert.Equal(DBusMessageType.MethodCall, call.Type);
        Assert.Equal(2u, call.Serial);
        Assert.Equal("/org/keepalived/Vrrp1/Instance/eth0/51/IPv4", call.Path);
        Assert.Equal("org.freedesktop.DBus.Properties", call.Interface);
        Assert.Equal("GetAll", call.Member);
        Assert.Equal("org.keepalived.Vrrp1", call.Destination);
        Assert.Equal(":1.18", call.Sender);
        Assert.Equal("s", call.Signature);
        Assert.Equal(new object[] { "org.keepalived.Vrrp1.Instance" }, call.Body);
    }

    [Fact]
    public void DecodesKeepalivedsPropertiesReply()
    {
        var reply = DBusMessage.Decode(DBusSamples.KeepalivedGetAllReply);

        Assert.Equal(DBusMessageType.MethodReturn, reply.Type);
        Assert.Equal(2u, reply.ReplySerial);
        Assert.Equal("a{sv}", reply.Signature);
        var properties = Assert.IsType<Dictionary<object, object>>(reply.Body[0]);
        var name = Assert.IsType<DBusVariant>(properties["Name"]);
        Assert.Equal("(s)", name.Signature);
        Assert.Equal(new object[] { "KDC_VIP" }, name.Value);
        var state = Assert.IsType<DBusVariant>(properties["State"]);
        Assert.Equal("(us)", state.Signature);
        Assert.Equal(new object[] { 2u, "Master" }, state.Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EncodesTheSpecificationsLayoutInBothByteOrders(bool bigEndian)
    {
        var expected = bigEndian ? DBusSamples.BigEndianReturn : DBusSamples.LittleEndianReturn;

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(DBusSamples.SmallReturn.Encode(bigEndian)));
        var decoded = DBusMessage.Decode(expected);
        Assert.Equal(3u, decoded.ReplySerial);
        Assert.Equal(new object[] { 2u }, decoded.Body);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryTypeRoundTripsInBothByteOrders(bool bigEndian)
    {
        var body = new object[]
        {
            (byte)0xFE, true, (short)-2, (ushort)65000, -70000, 4000000000u, -5000000000L, 18000000000000000000UL, -1.5,
            "grüße", "/org/keepalived/Vrrp1", "a{sv}", new DBusVariant("(us)", new object[] { 3u, "Fault" }),
            new object[] { new object[] { (byte)1, "one" }, new object[] { (byte)2, "two" } },
            new Dictionary<object, object> { ["Name"] = new DBusVariant("s", "KDC_VIP") },
            new object[] { 51u, new object[] { "nested" } },
            new object[] { new object[] { (byte)1, (byte)2 }, Array.Empty<object>() },
        };
        var message = new DBusMessage(DBusMessageType.Signal, 9) { Path = "/a", Interface = "b.c", Member = "D", Signature = EveryType, Body = body };

        var decoded = DBusMessage.Decode(message.Encode(bigEndian));

        Assert.Equal(Flatten(body), Flatten(decoded.Body));
    }

    [Fact]
    public void RefusesAMessageLongerThanTheLimitFromItsPrefix()
    {
        var prefix = (byte[])DBusSamples.LittleEndianReturn.Clone();
        BitConverter.GetBytes((uint)DBusMessage.MaximumLength).CopyTo(prefix, 4);

        var e = Assert.Throws<DBusProtocolException>(() => DBusMessage.FrameLength(prefix));
        Assert.Contains("longer than", e.Message);
    }

    [Fact]
    public void RefusesAnArrayClaimingMoreThanTheMessageHolds()
    {
        var bytes = (byte[])DBusSamples.KeepalivedGetAllReply.Clone();
        var bodyStart = bytes.Length - 0x47;
        BitConverter.GetBytes(0x7FFFFFF0u).CopyTo(bytes, bodyStart);

        Assert.Throws<DBusProtocolException>(() => DBusMessage.Decode(bytes));
    }

    [Theory]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay", "arrays")] // 33 nested arrays
    [InlineData("(((((((((((((((((((((((((((((((((y)))))))))))))))))))))))))))))))))", "structs")] // 33 nested structs
    [InlineData("a{vs}", "basic key")]
    [InlineData("h", "'h'")]
    [InlineData("(", "unclosed")]
    [InlineData("{sv}", "'{'")]
    public void RefusesInvalidSignatures(string signature, string reason)
    {
        var message = new DBusMessage(DBusMessageType.MethodReturn, 1) { ReplySerial = 1 };
        var bytes = WithSignatureField(message, signature);

        var e = Assert.Throws<DBusProtocolException>(() => DBusMessage.Decode(bytes));
        Assert.True(e.Message.Contains(reason, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void RefusesBooleansOtherThanZeroAndOne()
    {
        var bytes = new DBusMessage(DBusMessageType.MethodReturn, 7) { ReplySerial = 3, Signature = "b", Body = new object[] { true } }.Encode();
        bytes[^4] = 2;

        Assert.Contains("boolean", Assert.Throws<DBusProtocolException>(() => DBusMessage.Decode(bytes)).Message);
    }

    [Fact]
    public void RefusesStringsThatAreNotUtf8()
    {
        var bytes = new DBusMessage(DBusMessageType.MethodReturn, 7) { ReplySerial = 3, Signature = "s", Body = new object[] { "ab" } }.Encode();
        bytes[^3] = 0xFF;

        Assert.Contains("UTF-8", Assert.Throws<DBusProtocolException>(() => DBusMessage.Decode(bytes)).Message);
    }

    [Fact]
    public void RefusesAReplyWithoutAReplySerial()
    {
        var bytes = new DBusMessage(DBusMessageType.Signal, 7) { Path = "/a", Interface = "b.c", Member = "D" }.Encode();
        bytes[1] = (byte)DBusMessageType.MethodReturn;

        Assert.Contains("reply serial", Assert.Throws<DBusProtocolException>(() => DBusMessage.Decode(bytes)).Message);
    }

    [Fact]
    public void RefusesVariantsNestedBeyondTheLimit()
    {
        object value = 1u;
        var signature = "u";
        for (var i = 0; i < 70; i++)
        {
            value = new DBusVariant(signature, value);
            signature = "v";
        }

        var bytes = new DBusMessage(DBusMessageType.MethodReturn, 7) { ReplySerial = 3, Signature = "v", Body = new[] { value } }.Encode();

        Assert.Contains("nested", Assert.Throws<DBusProtocolException>(() => DBusMessage.Decode(bytes)).Message);
    }

    /// <summary>A message whose SIGNATURE header field is <paramref name="signature"/>, bypassing the encoder's checks.</summary>
    private static byte[] WithSignatureField(DBusMessage message, string signature)
    {
        var withPlaceholder = new DBusMessage(message.Type, message.Serial) { ReplySerial = message.ReplySerial, Signature = new string('y', signature.Length), Body = Enumerable.Repeat((object)(byte)0, signature.Length).ToArray() }.Encode();
        var placeholder = System.Text.Encoding.ASCII.GetBytes(new string('y', signature.Length));
        var at = withPlaceholder.AsSpan().IndexOf(placeholder);
        System.Text.Encoding.ASCII.GetBytes(signature).CopyTo(withPlaceholder, at);
        return withPlaceholder;
    }

    private static string Flatten(object value) => value switch
    {
        DBusVariant variant => $"<{variant.Signature}:{Flatten(variant.Value)}>",
        Dictionary<object, object> dictionary => "{" + string.Join(",", dictionary.Select(entry => Flatten(entry.Key) + "=" + Flatten(entry.Value))) + "}",
        IEnumerable<object> items => "[" + string.Join(",", items.Select(Flatten)) + "]",
        _ => $"{value.GetType().Name}:{value}",
    };
}
