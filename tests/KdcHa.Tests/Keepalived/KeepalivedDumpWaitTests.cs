using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Keepalived;
using KdcHa.Vrrp;
using Xunit.Abstractions;

namespace KdcHa.Tests.Keepalived;

/// <summary>
/// Waiting for keepalived's dump after the signal, against a writer thread standing in for keepalived: a dump that
/// is never finished is read once per change and ends in DumpInvalid at the timeout, not in a read every poll.
/// Alone in its collection, so the process-wide allocation count is this test's own.
/// </summary>
[Collection(Name)]
public class KeepalivedDumpWaitTests : IDisposable
{
    public const string Name = "Allocation measurements";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly TempDirectory _directory = new();
    private readonly ITestOutputHelper _output;

    public KeepalivedDumpWaitTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private string DumpPath => _directory.File(KeepalivedDump.JsonFileName);

    [Fact]
    public async Task ADumpThatIsNeverFinishedIsReadOncePerChangeAndEndsInDumpInvalid()
    {
        // 1 MB of instances and no closing bracket: the old 1 ms re-read and re-parse cost hundreds of MB here.
        var unfinished = new StringBuilder("[");
        while (unfinished.Length < 1024 * 1024)
        {
            unfinished.Append("{\"data\": {\"iname\": \"KDC_VIP\", \"vrid\": 51, \"state\": 2, \"vips\": [\"10.0.0.100/24 dev eth0\"]}},");
        }

        var reads = 0;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var writer = Task.Run(async () =>
        {
            await Task.Delay(20);
            await File.WriteAllTextAsync(DumpPath, unfinished.ToString());
        });
        var wait = KeepalivedDump.WaitForDumpAsync(DumpPath, before: null, bytes => { reads++; return KeepalivedJsonDump.Parse(bytes, null); }, Timeout, CancellationToken.None, NothingWritten);

        var problem = await Assert.ThrowsAsync<KeepalivedDumpFormatException>(() => wait);
        await writer;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        _output.WriteLine($"{reads} read(s), {allocated / 1024 / 1024.0:0.0} MB allocated in {Timeout.TotalSeconds} s: {problem.Message}");
        Assert.InRange(reads, 1, 3);
        Assert.True(allocated < 16L * 1024 * 1024, $"{allocated} bytes allocated");
    }

    [Fact]
    public async Task ADumpFinishedAfterAPartialWriteIsParsed()
    {
        var whole = KeepalivedSamples.Json;
        var writer = Task.Run(async () =>
        {
            await Task.Delay(20);
            await File.WriteAllTextAsync(DumpPath, whole.Substring(0, whole.Length / 2));
            await Task.Delay(100);
            await File.WriteAllTextAsync(DumpPath, whole);
        });

        var states = await KeepalivedDump.WaitForDumpAsync(DumpPath, before: null, bytes => KeepalivedJsonDump.Parse(bytes, null), TimeSpan.FromSeconds(5), CancellationToken.None, NothingWritten);
        await writer;

        Assert.NotEmpty(states);
    }

    [Fact]
    public async Task ADumpLeftFromBeforeTheSignalIsNotTakenAndNothingWrittenIsSourceUnavailable()
    {
        File.WriteAllText(DumpPath, KeepalivedSamples.Json);
        var before = KeepalivedDump.Stamp(DumpPath);

        await Assert.ThrowsAsync<VrrpSourceUnavailableException>(() =>
            KeepalivedDump.WaitForDumpAsync(DumpPath, before, bytes => KeepalivedJsonDump.Parse(bytes, null), TimeSpan.FromMilliseconds(200), CancellationToken.None, NothingWritten));
    }

    [Fact]
    public async Task ADumpOverTheCapIsRefusedUnreadAtOnce()
    {
        using (var file = File.Create(DumpPath))
        {
            file.SetLength(KeepalivedDump.MaximumDumpBytes + 1L);
        }

        var reads = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var problem = await Assert.ThrowsAsync<KeepalivedDumpFormatException>(() =>
            KeepalivedDump.WaitForDumpAsync(DumpPath, before: null, bytes => { reads++; return KeepalivedJsonDump.Parse(bytes, null); }, TimeSpan.FromSeconds(5), CancellationToken.None, NothingWritten));

        Assert.Equal(0, reads);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{clock.Elapsed}");
        Assert.Contains(KeepalivedDump.MaximumDumpBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.Message);
    }

    public void Dispose() => _directory.Dispose();

    private static Exception NothingWritten() => new VrrpSourceUnavailableException("no dump was written");
}

[CollectionDefinition(KeepalivedDumpWaitTests.Name, DisableParallelization = true)]
public sealed class AllocationMeasurementCollection
{
}
