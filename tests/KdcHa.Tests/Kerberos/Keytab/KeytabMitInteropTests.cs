using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using KdcHa.Kerberos.Keytab;

// Not "...Kerberos.Keytab": inside that namespace the name Keytab would resolve to the namespace, not the type.
namespace KdcHa.Tests.Kerberos.Keytabs;

/// <summary>Keytabs written by MIT ktutil, parsed by us and compared with what MIT klist reads from the same file.</summary>
public class KeytabMitInteropTests
{
    private static readonly KtutilEntry[] MixedEntries =
    {
        new("bob@KDCHA.TEST", 3, "aes256-cts-hmac-sha1-96", "password"),
        new("bob@KDCHA.TEST", 3, "aes128-cts-hmac-sha1-96", "password"),
        new("bob@KDCHA.TEST", 4, "aes256-cts-hmac-sha384-192", "password2"),
        new("host/kdc1.example.com@EXAMPLE.COM", 2, "aes128-cts-hmac-sha256-128", "P@ssw0rd!"),
        new("user@EXAMPLE.COM", 300, "arcfour-hmac", "P@ssw0rd!"),
        new("HTTP/web.example.com@EXAMPLE.COM", 70000, "aes256-cts-hmac-sha1-96", "x"),
    };

    [LabFact("ktutil", "klist")]
    public void Parse_MatchesKlistForAKtutilKeytab()
    {
        using var temp = new TempDirectory();
        var path = temp.File("mixed.keytab");
        MitKeytabTools.WriteKeytab(path, MixedEntries);

        var keytab = Keytab.Load(path);

        AssertSameKeys(MitKeytabTools.ListKeys(path), keytab);
        Assert.Equal(
            new[] { "bob@KDCHA.TEST", "host/kdc1.example.com@EXAMPLE.COM", "user@EXAMPLE.COM", "HTTP/web.example.com@EXAMPLE.COM" },
            keytab.Principals);
        Assert.All(keytab.Entries, e => Assert.Equal(1, e.NameType));
    }

    [LabFact("ktutil", "klist")]
    public void Parse_KnownKeyFromTheReference()
    {
        using var temp = new TempDirectory();
        var path = temp.File("bob.keytab");
        MitKeytabTools.WriteKeytab(path, new[] { new KtutilEntry("bob@KDCHA.TEST", 1, "aes256-cts-hmac-sha1-96", "password") });

        var entry = Assert.Single(Keytab.Load(path).Entries);

        Assert.Equal("d085a9d8f0e00c9e0ec0a1ec1c9053de9dc8c4122b53d2679f1087e77c3530df", Convert.ToHexString(entry.Key).ToLowerInvariant());
        Assert.Equal(new[] { "bob" }, entry.Components);
        Assert.Equal("KDCHA.TEST", entry.Realm);
    }

    [LabTheory("ktutil", "klist")]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(5)]
    public void Parse_SkipsAHolePunchedTheWayMitRemovesEntries(int removedIndex)
    {
        using var temp = new TempDirectory();
        var path = temp.File("holed.keytab");
        MitKeytabTools.WriteKeytab(path, MixedEntries);
        var bytes = File.ReadAllBytes(path);
        PunchHole(bytes, removedIndex);
        File.WriteAllBytes(path, bytes);

        var keytab = Keytab.Parse(bytes);

        var mitView = MitKeytabTools.ListKeys(path);
        Assert.Equal(MixedEntries.Length - 1, mitView.Count);
        AssertSameKeys(mitView, keytab);
    }

    [LabTheory("ktutil", "klist")]
    [InlineData("bob@KDCHA.TEST", new[] { 18, 17, 20 }, 4u, 20)]
    [InlineData("bob@KDCHA.TEST", new[] { 17, 18 }, 3u, 17)]
    [InlineData("user@EXAMPLE.COM", new[] { 18, 23 }, 300u, 23)]
    public void FindKey_OnAKtutilKeytab(string principal, int[] preference, uint expectedKvno, int expectedEtype)
    {
        using var temp = new TempDirectory();
        var path = temp.File("find.keytab");
        MitKeytabTools.WriteKeytab(path, MixedEntries);

        var found = Keytab.Load(path).FindKey(principal, preference);

        Assert.NotNull(found);
        Assert.Equal(expectedKvno, found.KeyVersion);
        Assert.Equal(expectedEtype, found.EncryptionType);
    }

    private static void AssertSameKeys(System.Collections.Generic.IReadOnlyList<KlistKey> expected, Keytab actual)
    {
        var parsed = actual.Entries
            .Select(e => new KlistKey(e.KeyVersion, TruncateToSeconds(e.Timestamp), e.Principal, e.EncryptionType, Convert.ToHexString(e.Key).ToLowerInvariant()))
            .ToList();
        Assert.Equal(expected, parsed);
    }

    private static DateTime TruncateToSeconds(DateTime time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    // Same transformation as kadmin.local ktremove: size becomes -size and the record is zeroed.
    private static void PunchHole(byte[] keytab, int recordIndex)
    {
        var offset = 2;
        for (var i = 0; i < recordIndex; i++)
        {
            offset += 4 + Math.Abs(BinaryPrimitives.ReadInt32BigEndian(keytab.AsSpan(offset)));
        }

        var size = BinaryPrimitives.ReadInt32BigEndian(keytab.AsSpan(offset));
        BinaryPrimitives.WriteInt32BigEndian(keytab.AsSpan(offset), -size);
        Array.Clear(keytab, offset + 4, size);
    }
}
