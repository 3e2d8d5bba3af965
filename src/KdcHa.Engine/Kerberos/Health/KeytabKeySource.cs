using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using KdcHa.Kerberos.Crypto;
using KeytabFile = KdcHa.Kerberos.Keytab.Keytab;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// Keys of one principal from an MIT keytab. Only the newest key version is offered: older ones can no longer
/// match the KDC, and offering their encryption types would make the KDC pick a key we cannot prove.
/// </summary>
public sealed class KeytabKeySource : IClientKeySource
{
    private readonly KeytabFile _keytab;
    private readonly string _principal;

    public KeytabKeySource(KeytabFile keytab, string principal)
    {
        _keytab = keytab ?? throw new ArgumentNullException(nameof(keytab));
        _principal = principal ?? throw new ArgumentNullException(nameof(principal));
        var supported = KerberosEncryption.PreferenceOrder.Select(type => (int)type).ToArray();
        var newestVersion = keytab.FindKey(principal, supported)?.KeyVersion;
        EncryptionTypes = supported
            .Where(type => newestVersion is not null && keytab.FindKey(principal, new[] { type })?.KeyVersion == newestVersion)
            .ToArray();
    }

    public IReadOnlyList<int> EncryptionTypes { get; }

    public Task<ClientKey?> GetKeyAsync(int encryptionType, string salt, byte[]? stringToKeyParameters)
    {
        var entry = EncryptionTypes.Contains(encryptionType) ? _keytab.FindKey(_principal, new[] { encryptionType }) : null;
        return Task.FromResult(entry is null ? null : new ClientKey(entry.EncryptionType, entry.Key, entry.KeyVersion));
    }
}
