using System;
using System.Collections.Generic;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Kerberos.Keytab;

/// <summary>One key of one principal as stored in a keytab.</summary>
public sealed class KeytabEntry
{
    public KeytabEntry(IReadOnlyList<string> components, string realm, int nameType, DateTime timestamp, uint keyVersion, int encryptionType, byte[] key)
    {
        Components = components ?? throw new ArgumentNullException(nameof(components));
        Realm = realm ?? throw new ArgumentNullException(nameof(realm));
        NameType = nameType;
        Timestamp = timestamp;
        KeyVersion = keyVersion;
        EncryptionType = encryptionType;
        Key = key ?? throw new ArgumentNullException(nameof(key));
    }

    public IReadOnlyList<string> Components { get; }

    public string Realm { get; }

    /// <summary>0 for version 0x0501 files, which do not store it.</summary>
    public int NameType { get; }

    /// <summary>When the key was written, UTC.</summary>
    public DateTime Timestamp { get; }

    public uint KeyVersion { get; }

    public int EncryptionType { get; }

    public byte[] Key { get; }

    /// <summary>
    /// False when the key's length does not fit its supported encryption type: such a key cannot encrypt anything,
    /// whatever the KDC holds. Entries of encryption types this engine does not implement are never used anyway.
    /// </summary>
    public bool HasKeyOfItsTypesLength =>
        !KerberosEncryption.TryGet(EncryptionType, out var encryption) || encryption is null || encryption.KeySize == Key.Length;

    /// <summary>Why the key is unusable, for errors and warnings; null when <see cref="HasKeyOfItsTypesLength"/>.</summary>
    public string? KeyLengthProblem =>
        HasKeyOfItsTypesLength ? null : $"{this} has a {Key.Length}-byte key, but {EncryptionTypeNames.ToMitName((EncryptionType)EncryptionType)} needs {KerberosEncryption.Get((EncryptionType)EncryptionType).KeySize} bytes";

    /// <summary>"a/b@REALM", the form <see cref="Keytab.FindKey"/> matches against.</summary>
    public string Principal => string.Join("/", Components) + "@" + Realm;

    public override string ToString() => $"{Principal} kvno {KeyVersion} etype {EncryptionType}";
}
