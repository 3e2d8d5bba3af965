using System.IO;
using KdcHa.Kerberos;

namespace KdcHa.Tests.Kerberos;

public class Krb5DefaultRealmTests
{
    [Fact]
    public void DefaultRealmIsReadFromLibdefaultsOnly()
    {
        using var directory = new TempDirectory();
        var conf = directory.File("krb5.conf");
        File.WriteAllText(conf, "[realms]\n default_realm = NOT.THIS\n[LibDefaults]\n  dns_lookup_kdc = false\n  default_realm = KDCHA.TEST \n");

        Assert.Equal("KDCHA.TEST", Krb5DefaultRealm.ReadDefaultRealm(conf));
    }

    [Fact]
    public void TheFirstKrb5ConfigFileThatNamesARealmWins()
    {
        using var directory = new TempDirectory();
        var empty = directory.File("empty.conf");
        var named = directory.File("named.conf");
        File.WriteAllText(empty, "[libdefaults]\n default_realm =\n");
        File.WriteAllText(named, "[libdefaults]\n default_realm = SECOND.TEST\n");

        Assert.Equal("SECOND.TEST", Krb5DefaultRealm.Find($"{directory.File("missing.conf")}:{empty}:{named}"));
    }

    [Fact]
    public void NoFileWithARealmFindsNone()
    {
        using var directory = new TempDirectory();

        Assert.Null(Krb5DefaultRealm.Find(directory.File("missing.conf")));
    }
}
