using System;
using System.IO;
using System.Linq;

namespace KdcHa.Kerberos;

/// <summary>
/// The default_realm of the krb5.conf files MIT would read (KRB5_CONFIG, else /etc/krb5.conf): the realm a
/// switchover probes the VIP in when none is given.
/// </summary>
public static class Krb5DefaultRealm
{
    public const string SystemConfig = "/etc/krb5.conf";

    public static string? Find(string? krb5ConfigVariable)
    {
        var files = string.IsNullOrEmpty(krb5ConfigVariable) ? new[] { SystemConfig } : krb5ConfigVariable.Split(':');
        return files.Where(File.Exists).Select(ReadDefaultRealm).FirstOrDefault(realm => realm is not null);
    }

    public static string? ReadDefaultRealm(string path)
    {
        var inLibdefaults = false;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('['))
            {
                inLibdefaults = line.Equals("[libdefaults]", StringComparison.OrdinalIgnoreCase);
                continue;
            }

            var equals = line.IndexOf('=');
            if (inLibdefaults && equals > 0 && line[..equals].Trim() == "default_realm")
            {
                var realm = line[(equals + 1)..].Trim();
                return realm.Length == 0 ? null : realm;
            }
        }

        return null;
    }
}
