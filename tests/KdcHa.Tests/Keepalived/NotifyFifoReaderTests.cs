using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Keepalived;
using KdcHa.Tests.Fuzzing;
using KdcHa.Vrrp;
using Xunit.Abstractions;

namespace KdcHa.Tests.Keepalived;

[Collection(KeepalivedDumpWaitTests.Name)]
public sealed class NotifyFifoReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ITestOutputHelper _output;

    public NotifyFifoReaderTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public void Dispose() => _directory.Dispose();

    private string MakeFifo()
    {
        var path = _directory.File("notify.fifo");
        using var mkfifo = Process.Start("mkfifo", path);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    [Fact]
    public async Task ReadsNotificationsAcrossWriterRestartsAndSkipsGarbage()
    {
        var path = MakeFifo();
        using var reader = new NotifyFifoReader(path);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await WriteAndCloseAsync(path, "RS [10.0.0.1]:88 UP\n" + new string('x', 5000) + "\nINSTANCE \"VI_1\" BACKUP 90\n");
        var first = await reader.ReadAsync(timeout.Token);
        Assert.Equal("VI_1", first!.Name);
        Assert.Equal(VrrpState.Backup, first.State);

        // keepalived restarting closes and reopens its end; the reader sees no end-of-file in between.
        await WriteAndCloseAsync(path, "INSTANCE \"VI_1\" MASTER 90\n");
        var second = await reader.ReadAsync(timeout.Token);
        Assert.Equal(VrrpState.Master, second!.State);
    }

    [Fact]
    public async Task CancellationLeavesTheReadPendingForTheNextCall()
    {
        var path = MakeFifo();
        using var reader = new NotifyFifoReader(path);
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.ReadAsync(soon.Token));
        }

        await WriteAndCloseAsync(path, "GROUP \"G1\" FAULT\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var notification = await reader.ReadAsync(timeout.Token);
        Assert.Equal("GROUP", notification!.Kind);
    }

    [Fact]
    public async Task ReturnsNullOnceDisposed()
    {
        var path = MakeFifo();
        var reader = new NotifyFifoReader(path);
        var pending = reader.ReadAsync(CancellationToken.None);
        reader.Dispose();
        Assert.Null(await pending.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task GeneratedLinesEndInNotificationsOrAreSkippedAndTheReaderReadsOn()
    {
        var samples = new[] { "INSTANCE \"VI_1\" MASTER 100", "GROUP \"G1\" BACKUP", "INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 90" }
            .Select(Encoding.UTF8.GetBytes).ToArray();
        var lines = FuzzInputs.Generate(samples, 5_000).Select(bytes => bytes.Where(b => b != (byte)'\n').ToArray()).ToList();
        var path = MakeFifo();
        using var reader = new NotifyFifoReader(path);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var writer = Task.Run(async () =>
        {
            await using var fifo = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            foreach (var line in lines)
            {
                await fifo.WriteAsync(line);
                await fifo.WriteAsync(new[] { (byte)'\n' });
            }

            await fifo.WriteAsync(Encoding.UTF8.GetBytes("INSTANCE \"END\" FAULT\n"));
        });

        var notifications = 0;
        while (await reader.ReadAsync(timeout.Token) is { } notification && notification.Name != "END")
        {
            notifications++;
        }

        await writer;
        _output.WriteLine($"seed {FuzzInputs.Seed}: {lines.Count} lines through the FIFO, {notifications} notifications before the last");
        Assert.True(lines.Count >= 5_000);
    }

    [Fact]
    public async Task AWriterThatNeverSendsANewlineCostsNoMoreThanTheLineCap()
    {
        var path = MakeFifo();
        using var reader = new NotifyFifoReader(path);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        const int Chunks = 512;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var writer = Task.Run(async () =>
        {
            await using var fifo = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            for (var i = 0; i < Chunks; i++)
            {
                await fifo.WriteAsync(chunk);
            }

            await fifo.WriteAsync(Encoding.UTF8.GetBytes("\nINSTANCE \"VI_1\" MASTER 100\n"));
        });

        var notification = await reader.ReadAsync(timeout.Token);
        await writer;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        _output.WriteLine($"{Chunks * chunk.Length / 1024 / 1024} MB without a newline: {allocated / 1024 / 1024.0:0.0} MB allocated; cap {VrrpNotification.MaximumLineLength} bytes");
        Assert.Equal("VI_1", notification!.Name);
        Assert.True(allocated < 8L * 1024 * 1024, $"{allocated} bytes allocated");
    }

    private static async Task WriteAndCloseAsync(string path, string text)
    {
        await using var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
        var bytes = Encoding.UTF8.GetBytes(text);
        await writer.WriteAsync(bytes);
    }
}
