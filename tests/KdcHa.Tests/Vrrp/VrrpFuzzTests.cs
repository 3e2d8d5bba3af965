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
    private const int StructuredCount = 5_000;
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

    [Fact]
    public void JsonDumpsOfEveryShapeEndInStatesOrTheDumpException()
    {
        // Structurally valid JSON with keepalived's field names holding values of every kind and range.
        var random = new Random(FuzzInputs.Seed);
        string[] values = { "null", "true", "\"\"", "\"MASTER\"", "0", "-1", "1", "51", "255", "256", "2.5", "1e300", "-1e300", "9223372036854775808", "[]", "{}", "[\"10.0.0.100\", 5, null]", "\"\\ud800\"" };
        string[] fields = { "iname", "vrid", "state", "base_priority", "effective_priority", "ifp_ifname", "last_transition", "vips" };
        var count = 0;
        var parsed = 0;
        for (; count < StructuredCount; count++)
        {
            var instances = Enumerable.Range(0, random.Next(0, 4)).Select(_ =>
            {
                var data = string.Join(",", fields.Where(_ => random.Next(4) > 0).Select(f => $"\"{f}\":{values[random.Next(values.Length)]}"));
                return random.Next(8) switch
                {
                    0 => values[random.Next(values.Length)],
                    1 => $"{{\"stats\":{{{data}}}}}",
                    _ => $"{{\"data\":{{{data}}}}}",
                };
            });
            var json = random.Next(10) == 0 ? values[random.Next(values.Length)] : "[" + string.Join(",", instances) + "]";
            try
            {
                KeepalivedJsonDump.Parse(Encoding.UTF8.GetBytes(json), new HashSet<System.Net.IPAddress>());
                parsed++;
            }
            catch (KeepalivedDumpFormatException)
            {
                // The one exception a dump of the wrong shape may raise.
            }
        }

        _output.WriteLine($"seed {FuzzInputs.Seed}: {count} structured JSON dumps, {parsed} parsed");
        Assert.True(count >= StructuredCount);
    }

    [Fact]
    public void DataDumpsOfEveryShapeEndInStatesOrTheDumpException()
    {
        // keepalived's "Key = value" lines with values of every kind, instances in any order, Virtual IP counts that lie.
        var random = new Random(FuzzInputs.Seed);
        string[] keys = { "VRRP Instance", "State", "Virtual Router ID", "Priority", "Effective priority", "Interface", "Last transition" };
        string[] values = { "", "x", "0", "1", "51", "255", "256", "-1", "99999999999999999999", "1e300", "NaN", "MASTER", "1795552022.5 (Tue)", "= =" };
        var count = 0;
        var parsed = 0;
        for (; count < StructuredCount; count++)
        {
            var lines = new List<string> { random.Next(10) == 0 ? "" : "------< VRRP Topology >------" };
            for (var i = random.Next(0, 30); i > 0; i--)
            {
                lines.Add(random.Next(6) switch
                {
                    0 => $"Virtual IP ({values[random.Next(values.Length)]}):",
                    1 => values[random.Next(values.Length)] + " dev d0",
                    2 => "------< Interfaces >------",
                    _ => $" {keys[random.Next(keys.Length)]} = {values[random.Next(values.Length)]}",
                });
            }

            try
            {
                KeepalivedDataDump.Parse(string.Join("\n", lines), null);
                parsed++;
            }
            catch (KeepalivedDumpFormatException)
            {
                // The one exception a dump of the wrong shape may raise.
            }
        }

        _output.WriteLine($"seed {FuzzInputs.Seed}: {count} structured data dumps, {parsed} parsed");
        Assert.True(count >= StructuredCount);
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
