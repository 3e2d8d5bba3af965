using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security;
using KdcHa.Common;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Keytab;
using KdcHa.Kerberos.Transport;
using KdcHa.Tests.Kerberos.Keytabs;

namespace KdcHa.Tests.Kerberos.Health;

public class KdcProbeTargetFactoryTests
{
    private const int Aes256 = 18;
    private static readonly KdcEndpoint Kdc1 = KdcEndpoint.Parse("127.0.0.1:8801");
    private static readonly KdcEndpoint Kdc2 = KdcEndpoint.Parse("127.0.0.1:8802");

    [Fact]
    public void WithoutAKeyTheStandInClientProbesReachable()
    {
        var request = new KdcProbeTargetFactory().Request(Kdc1, realm: "KDCHA.TEST");

        Assert.Equal($"{KdcProbeTargetFactory.ProbeClientName}@KDCHA.TEST", request.ClientPrincipal);
        Assert.False(request.ClientIsExpectedToExist);
        Assert.Equal(KdcProbeLevel.Reachable, request.Level);
        Assert.Null(request.KeySource);
        Assert.Same(Kdc1, request.Endpoint);
    }

    [Fact]
    public void TheRealmComesFromThePrincipalUnlessOneIsGiven()
    {
        var factory = new KdcProbeTargetFactory();

        var fromPrincipal = factory.Request(Kdc1, "bob@KDCHA.TEST");
        var given = factory.Request(Kdc1, "bob@KDCHA.TEST", "OTHER.TEST");

        Assert.Equal("bob@KDCHA.TEST", fromPrincipal.ClientPrincipal);
        Assert.True(fromPrincipal.ClientIsExpectedToExist);
        Assert.Equal("bob@OTHER.TEST", given.ClientPrincipal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("bob")]
    [InlineData("bob@")]
    public void NoRealmAnywhereIsRealmRequired(string? principal)
    {
        var error = Assert.Throws<RealmRequiredException>(() => new KdcProbeTargetFactory().Request(Kdc1, principal));

        Assert.Equal(Kdc1.ToString(), error.Kdc);
    }

    [Fact]
    public void AKeytabProbesAuthenticatedAsItsFirstPrincipal()
    {
        var factory = new KdcProbeTargetFactory(BobAndCarolKeytab(), "bob.keytab");

        var request = factory.Request(Kdc1);

        Assert.Equal("bob@KDCHA.TEST", factory.DefaultPrincipal);
        Assert.Equal("bob@KDCHA.TEST", request.ClientPrincipal);
        Assert.True(request.ClientIsExpectedToExist);
        Assert.Equal(KdcProbeLevel.Authenticated, request.Level);
        var keys = Assert.IsType<KeytabKeySource>(request.KeySource);
        Assert.Equal(new[] { Aes256 }, keys.EncryptionTypes);
    }

    [Fact]
    public void APrincipalTheKeytabDoesNotHoldIsPrincipalNotInKeytab()
    {
        var factory = new KdcProbeTargetFactory(BobAndCarolKeytab(), "bob.keytab");

        var error = Assert.Throws<PrincipalNotInKeytabException>(() => factory.Request(Kdc1, "dave@KDCHA.TEST"));

        Assert.Equal("dave@KDCHA.TEST", error.Principal);
        Assert.Contains("bob.keytab", error.Message, StringComparison.Ordinal);
        Assert.Contains("bob@KDCHA.TEST, carol@KDCHA.TEST", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APasswordProbesAsTheUserAndSharesOneKeySourcePerPrincipal()
    {
        using var password = Password("secret");
        var factory = new KdcProbeTargetFactory(password: password, userName: "alice@KDCHA.TEST");

        var requests = factory.Requests(new[] { Kdc1, Kdc2 });
        var other = factory.Request(Kdc1, "bob@KDCHA.TEST");

        Assert.Equal(new[] { Kdc1, Kdc2 }, requests.Select(request => request.Endpoint));
        Assert.All(requests, request => Assert.Equal("alice@KDCHA.TEST", request.ClientPrincipal));
        Assert.IsType<PasswordKeySource>(requests[0].KeySource);
        Assert.Same(requests[0].KeySource, requests[1].KeySource);
        Assert.NotSame(requests[0].KeySource, other.KeySource);
    }

    [Fact]
    public void LevelTimeoutAndTransportReachEveryRequest()
    {
        var factory = new KdcProbeTargetFactory(BobAndCarolKeytab(), "bob.keytab")
        {
            Level = KdcProbeLevel.Reachable,
            Timeout = TimeSpan.FromMilliseconds(300),
            Transport = KdcTransportProtocol.Tcp,
        };

        var request = Assert.Single(factory.Requests(new[] { Kdc1 }));

        Assert.Equal(KdcProbeLevel.Reachable, request.Level);
        Assert.Equal(TimeSpan.FromMilliseconds(300), request.Timeout);
        Assert.Equal(KdcTransportProtocol.Tcp, request.Transport);
        Assert.NotNull(request.KeySource);
    }

    [Fact]
    public void AuthenticatedWithoutAKeyOrWithTwoKeysIsRefused()
    {
        using var password = Password("secret");

        Assert.Throws<ArgumentException>(() => new KdcProbeTargetFactory { Level = KdcProbeLevel.Authenticated });
        Assert.Throws<ArgumentException>(() => new KdcProbeTargetFactory(BobAndCarolKeytab(), "bob.keytab", password));
    }

    [Fact]
    public void LoadingAKeytabClassifiesWhatGoesWrong()
    {
        using var temp = new TempDirectory();
        var garbage = temp.File("garbage.keytab");
        File.WriteAllBytes(garbage, new byte[] { 0x05, 0x02, 0x7f, 0xff, 0xff, 0xff, 0x00 });

        Assert.Equal(temp.File("absent.keytab"), Assert.Throws<KeytabNotFoundException>(() => Load(temp.File("absent.keytab"))).Path);
        Assert.Throws<KeytabNotFoundException>(() => Load(temp.File("absent/bob.keytab")));
        Assert.IsType<UnauthorizedAccessException>(Assert.Throws<KeytabUnreadableException>(() => Load(temp.Path)).InnerException);
        Assert.Throws<KeytabFormatException>(() => Load(garbage));
    }

    [Fact]
    public void LoadingAWorldReadableKeytabWarnsAndAPrivateOneDoesNot()
    {
        using var temp = new TempDirectory();
        var path = temp.File("bob.keytab");
        File.WriteAllBytes(path, KeytabBytes.File(0x02, KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 1, Aes256, new byte[32])));
        var output = new RecordingOutput();

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var keytab = KdcProbeTargetFactory.LoadKeytab(path, output);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        KdcProbeTargetFactory.LoadKeytab(path, output);

        Assert.Equal(new[] { "bob@KDCHA.TEST" }, keytab.Principals);
        var warning = Assert.Single(output.Warnings);
        Assert.Contains("readable by every user", warning, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {path}", warning, StringComparison.Ordinal);
    }

    private static Keytab Load(string path) => KdcProbeTargetFactory.LoadKeytab(path, OperationOutput.None);

    private static Keytab BobAndCarolKeytab() => Keytab.Parse(KeytabBytes.File(
        0x02,
        KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 2, Aes256, new byte[32]),
        KeytabBytes.EntryV2("KDCHA.TEST", new[] { "carol" }, 1, Aes256, new byte[32])));

    private static SecureString Password(string text)
    {
        var password = new SecureString();
        foreach (var c in text)
        {
            password.AppendChar(c);
        }

        return password;
    }

    private sealed class RecordingOutput : IOperationOutput
    {
        public List<string> Warnings { get; } = new();

        public void WriteVerbose(string message)
        {
        }

        public void WriteWarning(string message) => Warnings.Add(message);

        public void WriteProgress(string stage, string status)
        {
        }

        public void WriteObject(object value)
        {
        }
    }
}
