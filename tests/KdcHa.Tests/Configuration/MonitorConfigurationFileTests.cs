using System;
using System.Collections;
using System.Diagnostics;
using System.IO;
using System.Linq;
using KdcHa.Configuration;

namespace KdcHa.Tests.Configuration;

public class MonitorConfigurationFileTests
{
    private const string Valid = "\"PeerKdc\": \"127.0.0.2\", \"Realm\": \"KDCHA.TEST\"";

    [Theory]
    [InlineData("[1, 2]", "monitor.json", "one JSON object")]
    [InlineData("{ \"Realm\": ", "monitor.json", "not valid JSON")]
    [InlineData("{ \"Realm\": \"A\", \"Realm\": \"B\" }", "monitor.json", "Realm appears more than once")]
    [InlineData("{ \"Realm\": \"A\", \"realm\": \"B\" }", "monitor.json", "realm appears more than once")]
    [InlineData("{ \"IntervalMilliseconds\": 99999999999 }", "monitor.json", "IntervalMilliseconds (99999999999) must be between 20 and 60000")]
    [InlineData("{ \"IntervalMilliseconds\": 1e300 }", "monitor.json", "must be between 20 and 60000")]
    [InlineData("{ \"Fall\": -1e300 }", "monitor.json", "Fall (-1E+300) must be between 1 and 100")]
    [InlineData("{ \"Fall\": { \"a\": 1 } }", "monitor.json", "Fall must be a whole number")]
    [InlineData("{ \"Realm\": [\"A\"] }", "monitor.json", "Realm must be a non-empty string")]
    public void AWrongFileEndsInAConfigurationErrorNamingTheFileAndTheProblem(string content, string name, string problem)
    {
        using var directory = new TempDirectory();
        var path = directory.File(name);
        File.WriteAllText(path, content);

        var error = Assert.Throws<ConfigurationException>(() => new MonitorConfiguration().ApplyFile(path, NoPowerShellData, Array.Empty<string>()));

        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void DeeplyNestedJsonIsRefusedAtTheDepthCap()
    {
        using var directory = new TempDirectory();
        var path = directory.File("monitor.json");
        File.WriteAllText(path, "{ \"PeerKdc\": " + new string('[', 15000) + new string(']', 15000) + " }");

        var error = Assert.Throws<ConfigurationException>(() => new MonitorConfiguration().ApplyFile(path, NoPowerShellData, Array.Empty<string>()));

        Assert.Equal(path, error.Setting);
        Assert.Contains($"at most {MonitorConfigurationFile.MaxJsonDepth} levels deep", error.Message);
    }

    [Fact]
    public void AFileOverTheSizeCapIsRefusedBeforeItIsParsed()
    {
        using var directory = new TempDirectory();
        var path = directory.File("monitor.psd1");
        File.WriteAllText(path, "@{" + string.Concat(Enumerable.Range(0, MonitorConfigurationFile.MaxBytes / 8).Select(i => $"k{i:x6}=1;")) + "}");

        var error = Assert.Throws<ConfigurationException>(() => new MonitorConfiguration().ApplyFile(path, _ => throw new InvalidOperationException("parsed"), Array.Empty<string>()));

        Assert.Contains($"holds at most {MonitorConfigurationFile.MaxBytes}", error.Message);
    }

    [Fact]
    public void AnEmptyFileAndAnEndlessDeviceAreRefusedAtOnce()
    {
        using var directory = new TempDirectory();
        var empty = directory.File("monitor.json");
        File.WriteAllText(empty, string.Empty);
        var watch = Stopwatch.StartNew();

        foreach (var path in new[] { empty, "/dev/zero", "/dev/urandom" })
        {
            var error = Assert.Throws<ConfigurationException>(() => new MonitorConfiguration().ApplyFile(path, NoPowerShellData, Array.Empty<string>()));
            Assert.Contains($"{path} is empty or not a regular file", error.Message);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public void AFifoIsRefusedWithoutWaitingForAWriter()
    {
        using var directory = new TempDirectory();
        var fifo = directory.File("monitor.json");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<ConfigurationException>(() => new MonitorConfiguration().ApplyFile(fifo, NoPowerShellData, Array.Empty<string>()));

        Assert.Contains("not a regular file", error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public void PeersBeyondTheListCapAndTextBeyondTheLengthCapAreRefusedNamingTheKey()
    {
        using var directory = new TempDirectory();
        var peers = directory.File("peers.json");
        File.WriteAllText(peers, "{ \"PeerKdc\": [" + string.Join(", ", Enumerable.Range(0, 15_000).Select(i => $"\"127.0.0.{i % 250 + 2}\"")) + "] }");
        var realm = directory.File("realm.json");
        File.WriteAllText(realm, "{ \"Realm\": \"" + new string('R', MonitorSetting.MaxTextLength + 1) + "\" }");

        var tooMany = Assert.Throws<ConfigurationException>(() => new MonitorConfiguration().ApplyFile(peers, NoPowerShellData, Array.Empty<string>()));
        var tooLong = Assert.Throws<ConfigurationException>(() => new MonitorConfiguration().ApplyFile(realm, NoPowerShellData, Array.Empty<string>()));

        Assert.Equal(("PeerKdc", "Realm"), (tooMany.Setting, tooLong.Setting));
        Assert.Contains($"PeerKdc may hold at most {MonitorSetting.MaxListLength} entries", tooMany.Message);
        Assert.Contains($"Realm must be at most {MonitorSetting.MaxTextLength} characters long", tooLong.Message);
    }

    [Fact]
    public void ParametersBeyondTheCapsFailValidation()
    {
        var configuration = new MonitorConfiguration
        {
            PeerKdc = Enumerable.Range(2, MonitorSetting.MaxListLength + 1).Select(i => $"127.0.0.{i}").ToArray(),
            Realm = "KDCHA.TEST",
        };
        Assert.Equal("PeerKdc", Assert.Throws<ConfigurationException>(configuration.Validate).Setting);

        configuration.PeerKdc = new[] { "127.0.0.2" };
        configuration.Realm = new string('R', 10 * 1024 * 1024);
        Assert.Equal("Realm", Assert.Throws<ConfigurationException>(configuration.Validate).Setting);
    }

    [Fact]
    public void APowerShellDataFileGoesToTheDataReaderAsText()
    {
        using var directory = new TempDirectory();
        var path = directory.File("monitor.PSD1");
        File.WriteAllText(path, "\uFEFF@{ Realm = 'KDCHA.TEST' }");
        string? seen = null;
        var configuration = new MonitorConfiguration();

        configuration.ApplyFile(path, text => { seen = text; return new Hashtable { ["Realm"] = "KDCHA.TEST", ["PeerKdc"] = "127.0.0.2" }; }, Array.Empty<string>());
        configuration.Validate();

        Assert.Equal("@{ Realm = 'KDCHA.TEST' }", seen);
        Assert.Equal("KDCHA.TEST", configuration.Realm);
    }

    [Fact]
    public void AValidJsonFileStillBinds()
    {
        using var directory = new TempDirectory();
        var path = directory.File("monitor.json");
        File.WriteAllText(path, "{ " + Valid + ", \"Fall\": 3.0 }");
        var configuration = new MonitorConfiguration();

        configuration.ApplyFile(path, NoPowerShellData, Array.Empty<string>());
        configuration.Validate();

        Assert.Equal(3, configuration.Fall);
        Assert.Equal(new[] { "127.0.0.2" }, configuration.PeerKdc);
    }

    private static IDictionary NoPowerShellData(string text) => throw new InvalidOperationException("not a psd1");
}
