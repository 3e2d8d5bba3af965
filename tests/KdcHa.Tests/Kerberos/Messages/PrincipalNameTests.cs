using System;
using KdcHa.Kerberos.Messages;

namespace KdcHa.Tests.Kerberos.Messages;

public class PrincipalNameTests
{
    [Theory]
    [InlineData("bob", 1, new[] { "bob" })]
    [InlineData("host/kdc1.example.com", 1, new[] { "host", "kdc1.example.com" })]
    [InlineData("krbtgt/EXAMPLE.COM", 2, new[] { "krbtgt", "EXAMPLE.COM" })]
    [InlineData("KRBTGT/EXAMPLE.COM", 1, new[] { "KRBTGT", "EXAMPLE.COM" })]
    public void Parse_SplitsComponentsAndPicksNameType(string name, int expectedType, string[] expectedComponents)
    {
        var principal = PrincipalName.Parse(name);

        Assert.Equal(expectedType, principal.NameType);
        Assert.Equal(expectedComponents, principal.Components);
        Assert.Equal(name, principal.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a//b")]
    [InlineData("/x")]
    [InlineData("bob@KDCHA.TEST")]
    public void Parse_RejectsMalformedNames(string name)
    {
        Assert.Throws<ArgumentException>(() => PrincipalName.Parse(name));
    }

    [Fact]
    public void Equality_IgnoresNameTypeButNotCase()
    {
        var principal = new PrincipalName(1, new[] { "krbtgt", "R" });

        Assert.Equal(principal, new PrincipalName(2, new[] { "krbtgt", "R" }));
        Assert.NotEqual(principal, new PrincipalName(1, new[] { "KRBTGT", "R" }));
    }
}
