using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Keytab;
using KdcHa.Tests.Kerberos.Health;
using KdcHa.Tests.Kerberos.Keytabs;
using KdcHa.Tests.Notification;

namespace KdcHa.Tests.Hostile;

/// <summary>Keytab entries whose key cannot be used with their encryption type never reach the probe.</summary>
public class KeytabHostileTests
{
    [Theory]
    [InlineData(18, 16)]
    [InlineData(17, 32)]
    [InlineData(23, 0)]
    [InlineData(20, 1)]
    public void AKeytabWhoseOnlyKeyForAPrincipalHasTheWrongLengthIsRefusedAtLoadNamingTheEntry(int encryptionType, int keyLength)
    {
        using var directory = new TempDirectory();
        var path = Write(directory, KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 3, encryptionType, new byte[keyLength]));

        var exception = Assert.Throws<KeytabFormatException>(() => KdcProbeTargetFactory.LoadKeytab(path, OperationOutput.None));

        Assert.Contains("bob@KDCHA.TEST", exception.Message);
        Assert.Contains($"{keyLength}-byte key", exception.Message);
    }

    [Fact]
    public async Task AWrongLengthKeyBesideAUsableOneIsSkippedWithAWarning()
    {
        using var directory = new TempDirectory();
        var path = Write(
            directory,
            KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 3, 18, new byte[32]),
            KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 3, 17, new byte[32]));
        var output = new RecordingOutput();

        var keytab = KdcProbeTargetFactory.LoadKeytab(path, output);
        var keys = new KeytabKeySource(keytab, "bob@KDCHA.TEST");

        Assert.Equal(new[] { 18 }, keys.EncryptionTypes);
        Assert.Null(await keys.GetKeyAsync(17, "KDCHA.TESTbob", null));
        Assert.Contains(output.Lines, line => line.Contains("bob@KDCHA.TEST") && line.Contains("skipped"));
    }

    [Fact]
    public async Task AProbeWithAWrongLengthKeyFromAnUncheckedKeytabIsAClassifiedResult()
    {
        var keytab = Keytab.Parse(KeytabBytes.File(0x02, KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 3, 18, new byte[5])));
        var request = ProbeMessages.Request(KdcProbeLevel.Authenticated, keys: new KeytabKeySource(keytab, "bob@KDCHA.TEST"));

        var result = await new KdcHealthProbe(new ScriptedTransport(_ => ProbeMessages.PreAuthRequired())).ProbeAsync(request, CancellationToken.None);

        Assert.Equal("KdcError", result.Status);
    }

    [Fact]
    public void AnEntryOfAnUnsupportedEncryptionTypeStillLoads()
    {
        var keytab = Keytab.Parse(KeytabBytes.File(0x02, KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 3, 25, new byte[7])));

        Assert.Single(keytab.Entries);
    }

    private static string Write(TempDirectory directory, params byte[][] records)
    {
        var path = Path.Combine(directory.Path, "test.keytab");
        File.WriteAllBytes(path, KeytabBytes.File(0x02, records.ToArray()));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
