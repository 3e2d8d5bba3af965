using System;
using System.Collections.Generic;

namespace KdcHa.Kerberos.Crypto;

/// <summary>MIT krb5 spellings of encryption types, as used in krb5.conf, kdc.conf and klist output.</summary>
public static class EncryptionTypeNames
{
    // MIT matches names and aliases case-insensitively (lib/crypto/krb/etypes.c).
    private static readonly Dictionary<string, EncryptionType> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["aes128-cts-hmac-sha1-96"] = EncryptionType.Aes128CtsHmacSha196,
        ["aes128-cts"] = EncryptionType.Aes128CtsHmacSha196,
        ["aes128-sha1"] = EncryptionType.Aes128CtsHmacSha196,
        ["aes256-cts-hmac-sha1-96"] = EncryptionType.Aes256CtsHmacSha196,
        ["aes256-cts"] = EncryptionType.Aes256CtsHmacSha196,
        ["aes256-sha1"] = EncryptionType.Aes256CtsHmacSha196,
        ["aes128-cts-hmac-sha256-128"] = EncryptionType.Aes128CtsHmacSha256128,
        ["aes128-sha2"] = EncryptionType.Aes128CtsHmacSha256128,
        ["aes256-cts-hmac-sha384-192"] = EncryptionType.Aes256CtsHmacSha384192,
        ["aes256-sha2"] = EncryptionType.Aes256CtsHmacSha384192,
        ["arcfour-hmac"] = EncryptionType.Rc4Hmac,
        ["rc4-hmac"] = EncryptionType.Rc4Hmac,
        ["arcfour-hmac-md5"] = EncryptionType.Rc4Hmac,
    };

    public static bool TryParse(string mitName, out EncryptionType type)
    {
        if (mitName is null)
        {
            throw new ArgumentNullException(nameof(mitName));
        }

        return ByName.TryGetValue(mitName.Trim(), out type);
    }

    /// <summary>The canonical MIT name; RFC 8009 also uses it as the string-to-key salt prefix.</summary>
    public static string ToMitName(EncryptionType type) => type switch
    {
        EncryptionType.Aes128CtsHmacSha196 => "aes128-cts-hmac-sha1-96",
        EncryptionType.Aes256CtsHmacSha196 => "aes256-cts-hmac-sha1-96",
        EncryptionType.Aes128CtsHmacSha256128 => "aes128-cts-hmac-sha256-128",
        EncryptionType.Aes256CtsHmacSha384192 => "aes256-cts-hmac-sha384-192",
        EncryptionType.Rc4Hmac => "arcfour-hmac",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported encryption type."),
    };
}
