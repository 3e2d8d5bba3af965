using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Kerberos.Keytab;

/// <summary>
/// An MIT FILE: keytab (format documented in MIT doc/formats/keytab_file_format.rst), versions 0x0502 and 0x0501.
/// </summary>
public sealed class Keytab
{
    /// <summary>Real keytabs are kilobytes; the cap keeps a wrong path (a disk image, /dev/zero) from being read whole.</summary>
    public const int MaxFileSize = 16 * 1024 * 1024;

    private const byte FormatMarker = 0x05;
    private const byte VersionNativeOrder = 0x01;
    private const byte VersionBigEndian = 0x02;

    private Keytab(IReadOnlyList<KeytabEntry> entries)
    {
        Entries = entries;
        Principals = entries.Select(e => e.Principal).Distinct(StringComparer.Ordinal).ToList().AsReadOnly();
    }

    public IReadOnlyList<KeytabEntry> Entries { get; }

    /// <summary>Distinct principals in the order they first appear.</summary>
    public IReadOnlyList<string> Principals { get; }

    public static Keytab Parse(byte[] data) =>
        Parse(new ReadOnlySpan<byte>(data ?? throw new ArgumentNullException(nameof(data))));

    public static Keytab Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2 || data[0] != FormatMarker || (data[1] != VersionNativeOrder && data[1] != VersionBigEndian))
        {
            throw new KeytabFormatException("Not an MIT keytab: the file does not start with 0x0501 or 0x0502.");
        }

        var hasNameType = data[1] == VersionBigEndian;
        var reader = new KeytabReader(data.Slice(2), bigEndian: hasNameType || !BitConverter.IsLittleEndian);
        var entries = new List<KeytabEntry>();
        while (reader.Remaining > 0)
        {
            var size = reader.ReadInt32();
            if (size == 0)
            {
                break;
            }

            if (size < 0)
            {
                // A hole left by a removed entry: -size zero bytes. long avoids overflow on int.MinValue.
                var holeSize = -(long)size;
                if (holeSize > reader.Remaining)
                {
                    throw new KeytabFormatException($"Keytab hole of {holeSize} bytes runs past the end of the file.");
                }

                reader.ReadBytes((int)holeSize);
                continue;
            }

            var record = reader.ReadRecord(size);
            entries.Add(ReadEntry(ref record, hasNameType));
        }

        return new Keytab(entries.AsReadOnly());
    }

    /// <summary>
    /// Reads and parses a keytab file. I/O failures (missing file, access denied) propagate unchanged; a file that is
    /// too large or not a keytab throws <see cref="KeytabFormatException"/>.
    /// </summary>
    public static Keytab Load(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);

        // Read at most one byte past the cap instead of trusting Length, which can change while we read.
        var buffer = new byte[(int)Math.Min(stream.Length + 1, MaxFileSize + 1L)];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += read;
        }

        if (total > MaxFileSize)
        {
            throw new KeytabFormatException($"'{path}' is larger than {MaxFileSize} bytes; not a keytab.");
        }

        return Parse(new ReadOnlySpan<byte>(buffer, 0, total));
    }

    /// <summary>Entries whose key length does not fit their encryption type.</summary>
    public IEnumerable<KeytabEntry> EntriesWithUnusableKeys => Entries.Where(e => !e.HasKeyOfItsTypesLength);

    /// <summary>This keytab without <see cref="EntriesWithUnusableKeys"/>.</summary>
    public Keytab WithoutUnusableKeys() => new(Entries.Where(e => e.HasKeyOfItsTypesLength).ToList().AsReadOnly());

    /// <summary>
    /// The key to use for <paramref name="principal"/> ("name@REALM", case-sensitive): among entries whose etype
    /// is in <paramref name="preferredEncryptionTypes"/>, the highest kvno wins (the KDC only accepts its current
    /// one), then the first preferred etype present at that kvno. Null when nothing matches.
    /// </summary>
    public KeytabEntry? FindKey(string principal, IEnumerable<int> preferredEncryptionTypes)
    {
        if (principal is null)
        {
            throw new ArgumentNullException(nameof(principal));
        }

        var preference = (preferredEncryptionTypes ?? throw new ArgumentNullException(nameof(preferredEncryptionTypes))).ToList();
        var candidates = Entries
            .Where(e => string.Equals(e.Principal, principal, StringComparison.Ordinal) && preference.Contains(e.EncryptionType))
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var newest = candidates.Max(e => e.KeyVersion);
        return preference
            .Select(etype => candidates.FirstOrDefault(e => e.KeyVersion == newest && e.EncryptionType == etype))
            .First(e => e is not null);
    }

    private static KeytabEntry ReadEntry(ref KeytabReader record, bool hasNameType)
    {
        int componentCount = record.ReadUInt16();
        if (!hasNameType)
        {
            // 0x0501 counts the realm as a component.
            componentCount--;
            if (componentCount < 0)
            {
                throw new KeytabFormatException("Keytab entry has a component count of zero.");
            }
        }

        var realm = record.ReadCountedString();

        // Each component needs at least its 2-byte length, so the record size bounds this loop and the list.
        if (componentCount * 2 > record.Remaining)
        {
            throw new KeytabFormatException($"Keytab entry claims {componentCount} components but is too short.");
        }

        var components = new string[componentCount];
        for (var i = 0; i < componentCount; i++)
        {
            components[i] = record.ReadCountedString();
        }

        var nameType = hasNameType ? record.ReadInt32() : 0;
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(record.ReadUInt32()).UtcDateTime;
        uint keyVersion = record.ReadByte();
        int encryptionType = record.ReadUInt16();
        var key = record.ReadBytes(record.ReadUInt16()).ToArray();

        // MIT >= 1.14 appends a 32-bit kvno because the 8-bit one wraps; zero means "use the 8-bit one".
        if (record.Remaining >= 4)
        {
            var keyVersion32 = record.ReadUInt32();
            if (keyVersion32 != 0)
            {
                keyVersion = keyVersion32;
            }
        }

        return new KeytabEntry(Array.AsReadOnly(components), realm, nameType, timestamp, keyVersion, encryptionType, key);
    }
}

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

/// <summary>
/// Bounds-checked cursor over keytab bytes. Version 0x0502 is big-endian; 0x0501 uses the writer's native order,
/// which MIT reads as the host's, so we do the same.
/// </summary>
internal ref struct KeytabReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _bigEndian;
    private int _position;

    public KeytabReader(ReadOnlySpan<byte> data, bool bigEndian)
    {
        _data = data;
        _bigEndian = bigEndian;
        _position = 0;
    }

    public int Remaining => _data.Length - _position;

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new KeytabFormatException($"Keytab record is truncated: needs {count} bytes at offset {_position}, {Remaining} left.");
        }

        var bytes = _data.Slice(_position, count);
        _position += count;
        return bytes;
    }

    public byte ReadByte() => ReadBytes(1)[0];

    public ushort ReadUInt16()
    {
        var bytes = ReadBytes(2);
        return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);
    }

    public uint ReadUInt32()
    {
        var bytes = ReadBytes(4);
        return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    public int ReadInt32() => unchecked((int)ReadUInt32());

    /// <summary>A uint16-length-prefixed string; MIT writes bytes as given, UTF-8 is the common case.</summary>
    public string ReadCountedString() => Encoding.UTF8.GetString(ReadBytes(ReadUInt16()).ToArray());

    public KeytabReader ReadRecord(int size) => new(ReadBytes(size), _bigEndian);
}
