using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Keepalived;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Keepalived;

public sealed class NotifyFifoReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

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

    private static async Task WriteAndCloseAsync(string path, string text)
    {
        await using var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
        var bytes = Encoding.UTF8.GetBytes(text);
        await writer.WriteAsync(bytes);
    }
}
