using System;
using System.IO;
using System.Linq;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Keytab;

namespace KdcHa.Tests.Kerberos.Keytabs;

public class KeytabParseTests
{
    private static readonly byte[] Key16 = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();

    [Fact]
    public void Parse_Version0501_UsesHostOrderAndCountsTheRealm()
    {
        var data = KeytabBytes.File(0x01, KeytabBytes.EntryV1("EXAMPLE.COM", new[] { "host", "kdc1" }, 7, 17, Key16));

        var entry = Assert.Single(Keytab.Parse(data).Entries);

        Assert.Equal("host/kdc1@EXAMPLE.COM", entry.Principal);
        Assert.Equal(0, entry.NameType);
        Assert.Equal(7u, entry.KeyVersion);
        Assert.Equal(17, entry.EncryptionType);
        Assert.Equal(Key16, entry.Key);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).UtcDateTime, entry.Timestamp);
    }

    [Theory]
    [InlineData(5u, false, 5u)]
    [InlineData(300u, true, 300u)]
    [InlineData(300u, false, 44u)]
    [InlineData(256u, true, 256u)]
    public void Parse_Kvno32OverridesTheEightBitKvnoWhenPresentAndNonZero(uint kvno, bool withKvno32, uint expected)
    {
        var data = KeytabBytes.File(0x02, KeytabBytes.EntryV2("R", new[] { "bob" }, kvno, 18, Key16, withKvno32));

        Assert.Equal(expected, Assert.Single(Keytab.Parse(data).Entries).KeyVersion);
    }

    [Fact]
    public void Parse_StopsAtAZeroSizeAndSkipsHoles()
    {
        var data = KeytabBytes.File(
            0x02,
            KeytabBytes.Hole(70),
            KeytabBytes.EntryV2("R", new[] { "a" }, 1, 18, Key16),
            KeytabBytes.Hole(3),
            KeytabBytes.EntryV2("R", new[] { "b" }, 1, 18, Key16),
            KeytabBytes.Int32BigEndian(0),
            new byte[] { 0xFF, 0xFF });

        Assert.Equal(new[] { "a@R", "b@R" }, Keytab.Parse(data).Entries.Select(e => e.Principal));
    }

    [Fact]
    public void Parse_ReadsAnEntryShorterThanItsReusedHole()
    {
        var entry = KeytabBytes.EntryV2("R", new[] { "a" }, 9, 18, Key16, withKvno32: false);
        var size = entry.Length - 4;
        var padded = KeytabBytes.Int32BigEndian(size + 10).Concat(entry.Skip(4)).Concat(new byte[10]).ToArray();

        var parsed = Assert.Single(Keytab.Parse(KeytabBytes.File(0x02, padded)).Entries);

        Assert.Equal(9u, parsed.KeyVersion);
        Assert.Equal(Key16, parsed.Key);
    }

    public static TheoryData<string, byte[]> MalformedKeytabs()
    {
        var valid = KeytabBytes.File(0x02, KeytabBytes.EntryV2("R", new[] { "bob" }, 1, 18, Key16));
        return new TheoryData<string, byte[]>
        {
            { "empty", Array.Empty<byte>() },
            { "version 0x0503", new byte[] { 0x05, 0x03 } },
            { "not a keytab", new byte[] { 0x50, 0x4B, 0x03, 0x04 } },
            { "record truncated", valid.Take(valid.Length - 1).ToArray() },
            { "size field truncated", KeytabBytes.File(0x02, new byte[] { 0, 0 }) },
            { "size past end", KeytabBytes.File(0x02, KeytabBytes.Int32BigEndian(int.MaxValue)) },
            { "hole past end", KeytabBytes.File(0x02, KeytabBytes.Int32BigEndian(int.MinValue)) },
            { "key length past record", KeytabBytes.File(0x02, KeytabBytes.Int32BigEndian(17), new byte[] { 0, 1, 0, 1, (byte)'R', 0, 1, (byte)'a', 0, 0, 0, 1, 0, 0, 0, 0, 1 }) },
            { "0x0501 zero count", KeytabBytes.File(0x01, KeytabBytes.EntryV1("R", Array.Empty<string>(), 1, 18, Key16).Select((b, i) => i is 4 or 5 ? (byte)0 : b).ToArray()) },
            { "component count huge", KeytabBytes.File(0x02, KeytabBytes.Int32BigEndian(6), new byte[] { 0xFF, 0xFF, 0, 1, (byte)'R', 0 }) },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedKeytabs))]
    public void Parse_RejectsMalformedFiles(string because, byte[] data)
    {
        var ex = Assert.Throws<KeytabFormatException>(() => Keytab.Parse(data));
        Assert.False(string.IsNullOrEmpty(ex.Message), because);
    }

    [Theory]
    [InlineData("bob@R", new[] { 18, 17 }, 3u, 17)]
    [InlineData("bob@R", new[] { 18 }, 2u, 18)]
    [InlineData("bob@R", new[] { 23, 17, 18 }, 3u, 17)]
    [InlineData("bob@R", new[] { 23 }, null, null)]
    [InlineData("BOB@R", new[] { 17 }, null, null)]
    [InlineData("bob@r", new[] { 17 }, null, null)]
    [InlineData("host/kdc1@R", new[] { 18, 17 }, 5u, 18)]
    [InlineData("host/kdc1@R", new[] { 17, 18 }, 5u, 17)]
    public void FindKey_PicksNewestKvnoThenPreferredEtype(string principal, int[] preference, uint? expectedKvno, int? expectedEtype)
    {
        var data = KeytabBytes.File(
            0x02,
            KeytabBytes.EntryV2("R", new[] { "bob" }, 2, 18, Key16),
            KeytabBytes.EntryV2("R", new[] { "bob" }, 2, 17, Key16),
            KeytabBytes.EntryV2("R", new[] { "bob" }, 3, 17, Key16),
            KeytabBytes.EntryV2("R", new[] { "host", "kdc1" }, 5, 17, Key16),
            KeytabBytes.EntryV2("R", new[] { "host", "kdc1" }, 5, 18, Key16),
            KeytabBytes.EntryV2("R", new[] { "host", "kdc1" }, 4, 20, Key16));

        var found = Keytab.Parse(data).FindKey(principal, preference);

        Assert.Equal(expectedKvno, found?.KeyVersion);
        Assert.Equal(expectedEtype, found?.EncryptionType);
    }

    [Fact]
    public void Load_RejectsFilesOverTheSizeCap()
    {
        using var temp = new TempDirectory();
        var path = temp.File("huge.keytab");
        using (var stream = File.Create(path))
        {
            stream.Write(new byte[] { 0x05, 0x02 });
            stream.SetLength(Keytab.MaxFileSize + 1L);
        }

        Assert.Throws<KeytabFormatException>(() => Keytab.Load(path));
    }

    [Fact]
    public void Load_LetsIoErrorsPropagate()
    {
        using var temp = new TempDirectory();

        Assert.Throws<FileNotFoundException>(() => Keytab.Load(temp.File("missing.keytab")));
        Assert.Throws<UnauthorizedAccessException>(() => Keytab.Load(temp.Path));
    }
}
