using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using KdcHa.Keepalived;
using KdcHa.Tests.Fuzzing;
using KdcHa.Tests.Keepalived;
using KdcHa.Vrrp;
using Xunit.Abstractions;

namespace KdcHa.Tests.Vrrp;

/// <summary>
/// Hostile input never escapes as anything but a false TryParse or the parser's own exception: 10,000+ packets,
/// dumps and FIFO lines derived from real samples (every truncation, byte mutations, random bytes), fixed seed.
/// </summary>
public class VrrpFuzzTests
{
    private const int RandomCount = 10_000;
    private readonly ITestOutputHelper _output;

    public VrrpFuzzTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void AdvertisementsNeverThrow()
    {
        var samples = new[]
        {
            VrrpPackets.Advertisement(2, "10.0.0.11", 51, 90, 1, "10.0.0.100"),
            VrrpPackets.Advertisement(3, "10.0.0.12", 7, 80, 1, "10.0.0.100", "10.0.0.101"),
            VrrpPackets.Advertisement(3, "fe80::1", 60, 200, 0.1, "fd00:db8::100", "fd00:db8::101"),
        };
        var count = 0;
        foreach (var input in FuzzInputs.Generate(samples, RandomCount))
        {
            VrrpAdvertisement.TryParse(input, DateTime.UtcNow, out _);
            count++;
        }

        _output.WriteLine($"seed {FuzzInputs.Seed}: {count} packets");
        Assert.True(count >= RandomCount);
    }

    [Fact]
    public void DumpsAndConfigsNeverThrowAnythingButTheirOwnException()
    {
        var samples = new[] { KeepalivedSamples.Json, KeepalivedSamples.Data, KeepalivedSamples.Config }.Select(Encoding.UTF8.GetBytes).ToArray();
        var count = 0;
        foreach (var input in FuzzInputs.Generate(samples, RandomCount))
        {
            var text = Encoding.UTF8.GetString(input);
            Expect(() => KeepalivedJsonDump.Parse(input, new HashSet<System.Net.IPAddress>()));
            Expect(() => KeepalivedDataDump.Parse(text, null));
            ExpectConfig(() => KeepalivedConfigReader.Parse(text, "/nonexistent/keepalived.conf"));
            count++;
        }

        _output.WriteLine($"seed {FuzzInputs.Seed}: {count} dumps, each read as JSON, data and config");
        Assert.True(count >= RandomCount);
    }

    [Fact]
    public void FifoLinesNeverThrow()
    {
        var samples = new[] { "INSTANCE \"VI_1\" MASTER 100", "GROUP \"G1\" BACKUP", "INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 90" }
            .Select(Encoding.UTF8.GetBytes).ToArray();
        var count = 0;
        foreach (var input in FuzzInputs.Generate(samples, RandomCount))
        {
            VrrpNotification.TryParse(Encoding.UTF8.GetString(input), DateTime.UtcNow, out _);
            count++;
        }

        _output.WriteLine($"seed {FuzzInputs.Seed}: {count} lines");
        Assert.True(count >= RandomCount);
    }

    private static void ExpectConfig(Action parse)
    {
        try
        {
            parse();
        }
        catch (KeepalivedConfigException)
        {
            // The one exception a hostile configuration may raise.
        }
    }

    private static void Expect(Action parse)
    {
        try
        {
            parse();
        }
        catch (KeepalivedDumpFormatException)
        {
            // The one exception hostile input may raise.
        }
    }
}
