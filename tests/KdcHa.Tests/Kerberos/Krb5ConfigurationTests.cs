using System.IO;
using System.Linq;
using KdcHa.Kerberos;

namespace KdcHa.Tests.Kerberos;

public class Krb5ConfigurationTests
{
    [Fact]
    public void DefaultRealmIsReadFromLibdefaultsOnly()
    {
        using var directory = new TempDirectory();
        var conf = directory.File("krb5.conf");
        File.WriteAllText(conf, "[realms]\n default_realm = NOT.THIS\n[LibDefaults]\n  dns_lookup_kdc = false\n  default_realm = KDCHA.TEST \n");

        Assert.Equal("KDCHA.TEST", Krb5Configuration.Read(conf).DefaultRealm);
    }

    [Fact]
    public void TheFirstKrb5ConfigFileThatNamesARealmWins()
    {
        using var directory = new TempDirectory();
        var empty = directory.File("empty.conf");
        var named = directory.File("named.conf");
        File.WriteAllText(empty, "[libdefaults]\n default_realm =\n");
        File.WriteAllText(named, "[libdefaults]\n default_realm = SECOND.TEST\n");

        Assert.Equal("SECOND.TEST", Krb5Configuration.FindDefaultRealm($"{directory.File("missing.conf")}:{empty}:{named}"));
    }

    [Fact]
    public void NoFileWithARealmFindsNone()
    {
        using var directory = new TempDirectory();

        Assert.Null(Krb5Configuration.FindDefaultRealm(directory.File("missing.conf")));
    }

    [Fact]
    public void KdcLinesAreReadPerRealmInFileOrderSkippingNestedBlocksAndOtherRelations()
    {
        var configuration = Krb5Configuration.Parse(
            new[]
            {
                "[realms]",
                "  KDCHA.TEST = {",
                "    kdc = 127.0.0.2:88",
                "    admin_server = 127.0.0.9",
                "    auth_to_local_names = {",
                "      kdc = not-a-kdc",
                "    }",
                "    # kdc = commented.out",
                "    kdc = \"127.0.0.3\"",
                "  }",
                "  OTHER.TEST = {",
                "    kdc* = [::1]:750",
                "  }",
                "[domain_realm]",
                "  kdc = not.a.realm",
            },
            "krb5.conf");

        Assert.Equal(new[] { "KDCHA.TEST", "OTHER.TEST" }, configuration.Realms.Select(realm => realm.Name));
        Assert.Equal(new[] { "127.0.0.2:88", "127.0.0.3" }, configuration.Realms[0].Kdcs);
        Assert.Equal(new[] { "[::1]:750" }, configuration.Realms[1].Kdcs);
    }
}
