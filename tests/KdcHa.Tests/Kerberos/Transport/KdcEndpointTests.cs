using System;
using System.Linq;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Tests.Kerberos.Transport;

public sealed class KdcEndpointTests
{
    [Theory]
    [InlineData("kdc1", "kdc1", 88, "kdc1:88")]
    [InlineData("kdc1:750", "kdc1", 750, "kdc1:750")]
    [InlineData("  kdc1.example.com:88 \t", "kdc1.example.com", 88, "kdc1.example.com:88")]
    [InlineData("KDC1.Example.COM.", "KDC1.Example.COM.", 88, "KDC1.Example.COM.:88")]
    [InlineData("dc_01.ad.example", "dc_01.ad.example", 88, "dc_01.ad.example:88")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example", 88, "xn--bcher-kva.example:88")]
    [InlineData("10.0.0.5", "10.0.0.5", 88, "10.0.0.5:88")]
    [InlineData("10.0.0.5:88", "10.0.0.5", 88, "10.0.0.5:88")]
    [InlineData("0.0.0.0:65535", "0.0.0.0", 65535, "0.0.0.0:65535")]
    [InlineData("kdc1:00750", "kdc1", 750, "kdc1:750")]
    [InlineData("[fd00::5]:88", "fd00::5", 88, "[fd00::5]:88")]
    [InlineData("[fd00::5]", "fd00::5", 88, "[fd00::5]:88")]
    [InlineData("fd00::5", "fd00::5", 88, "[fd00::5]:88")]
    [InlineData("[FD00:0:0::5]:1", "fd00::5", 1, "[fd00::5]:1")]
    [InlineData("::1", "::1", 88, "[::1]:88")]
    [InlineData("fd00::5:88", "fd00::5:88", 88, "[fd00::5:88]:88")]
    [InlineData("[::ffff:10.0.0.5]:750", "::ffff:10.0.0.5", 750, "[::ffff:10.0.0.5]:750")]
    public void Parse_accepts_and_round_trips(string text, string host, int port, string formatted)
    {
        var endpoint = KdcEndpoint.Parse(text);

        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(formatted, endpoint.ToString());
        Assert.Equal(endpoint, KdcEndpoint.Parse(endpoint.ToString()));
        Assert.True(KdcEndpoint.TryParse(text, out var tried));
        Assert.Equal(endpoint, tried);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("kdc1:", "port after ':' is empty")]
    [InlineData(":88", "no host")]
    [InlineData("kdc1:0", "outside 1-65535")]
    [InlineData("kdc1:65536", "outside 1-65535")]
    [InlineData("kdc1:99999999999999999999", "outside 1-65535")]
    [InlineData("kdc1:-1", "not a decimal number")]
    [InlineData("kdc1:+88", "not a decimal number")]
    [InlineData("kdc1:8a", "not a decimal number")]
    [InlineData("kdc1:٨٨", "not a decimal number")]
    [InlineData("a:b:c", "not an IPv6 address")]
    [InlineData("kdc1:88:99", "not an IPv6 address")]
    [InlineData("kdc 1", "whitespace")]
    [InlineData("kdc1: 88", "whitespace")]
    [InlineData("kdc1\u0000", "control character")]
    [InlineData("[fd00::5", "without a closing ']'")]
    [InlineData("[fd00::5]88", "only ':port' may follow")]
    [InlineData("[fd00::5]:", "port after ':' is empty")]
    [InlineData("[fd00::5]:0", "outside 1-65535")]
    [InlineData("[10.0.0.5]:88", "only for IPv6 literals")]
    [InlineData("[kdc1]", "only for IPv6 literals")]
    [InlineData("[]", "only for IPv6 literals")]
    [InlineData("[[::1]]", "only ':port' may follow")]
    [InlineData("[::1]:88]", "not a decimal number")]
    [InlineData("fd00::5/64", "not an IPv6 address")]
    [InlineData("kdc..example", "empty label")]
    [InlineData(".kdc", "empty label")]
    [InlineData("-kdc.example", "starting or ending with '-'")]
    [InlineData("kdc/1", "contains '/'")]
    [InlineData("user@kdc", "contains '@'")]
    [InlineData("kdc.bücher.example", "xn--")]
    [InlineData("256.0.0.1", "not an IPv4 address")]
    [InlineData("10.5", "not an IPv4 address")]
    [InlineData("1.2.3.4.5", "not an IPv4 address")]
    [InlineData("010.0.0.1", "not an IPv4 address")]
    [InlineData("0x7f.1", "not an IPv4 address")]
    [InlineData("12345", "not an IPv4 address")]
    public void Parse_rejects_with_a_message_naming_the_problem(string text, string problem)
    {
        var exception = Assert.Throws<FormatException>(() => KdcEndpoint.Parse(text));

        Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
        Assert.False(KdcEndpoint.TryParse(text, out var endpoint));
        Assert.Null(endpoint);
    }

    [Fact]
    public void Parse_rejects_overlong_names_and_labels()
    {
        Assert.Throws<FormatException>(() => KdcEndpoint.Parse(new string('a', 64) + ".example"));
        Assert.Throws<FormatException>(() => KdcEndpoint.Parse(string.Join(".", Enumerable.Repeat(new string('a', 63), 4))));
        Assert.Equal(63, KdcEndpoint.Parse(new string('a', 63)).Host.Length);
    }

    [Fact]
    public void Parse_and_TryParse_handle_null()
    {
        Assert.Throws<FormatException>(() => KdcEndpoint.Parse(null!));
        Assert.False(KdcEndpoint.TryParse(null, out _));
    }

    [Fact]
    public void Constructor_validates_like_Parse()
    {
        Assert.Equal("[fd00::5]:750", new KdcEndpoint("FD00::5", 750).ToString());
        Assert.Equal("kdc1:88", new KdcEndpoint("kdc1").ToString());
        Assert.Throws<ArgumentException>(() => new KdcEndpoint("a b"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KdcEndpoint("kdc1", 0));
        Assert.Throws<ArgumentNullException>(() => new KdcEndpoint(null!));
    }

    [Fact]
    public void Host_names_compare_case_insensitively()
    {
        Assert.Equal(KdcEndpoint.Parse("KDC1.example"), KdcEndpoint.Parse("kdc1.EXAMPLE:88"));
        Assert.Equal(KdcEndpoint.Parse("KDC1.example").GetHashCode(), KdcEndpoint.Parse("kdc1.EXAMPLE:88").GetHashCode());
        Assert.NotEqual(KdcEndpoint.Parse("kdc1"), KdcEndpoint.Parse("kdc1:750"));
    }
}
