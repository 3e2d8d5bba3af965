using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

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
