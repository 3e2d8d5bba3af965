using System;
using System.IO;
using System.Linq;
using KdcHa.Notification;

namespace KdcHa.Tests.Notification;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NotificationSpoolTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void EntriesComeBackInOrderFromAFreshSpoolOnTheSameDirectory()
    {
        var first = new NotificationSpool(_directory.Path, 100);
        var ids = Enumerable.Range(0, 20).Select(i => first.Add("ops", Events.Custom($"alert {i}")).Entry.EventId).ToList();

        var reopened = new NotificationSpool(_directory.Path, 100);
        var pending = reopened.Pending("ops");

        Assert.Equal(ids, pending.Select(entry => entry.EventId));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"alert {i}"), pending.Select(entry => reopened.Read(entry).Message));
    }

    [Fact]
    public void AFullChannelEvictsItsOldestEntries()
    {
        var spool = new NotificationSpool(_directory.Path, 3);
        var added = Enumerable.Range(0, 5).Select(i => spool.Add("ops", Events.Custom($"alert {i}"))).ToList();

        Assert.Equal(new[] { 0, 0, 0, 1, 1 }, added.Select(result => result.Evicted.Count));
        Assert.Equal(new[] { "alert 2", "alert 3", "alert 4" }, spool.Pending("ops").Select(entry => spool.Read(entry).Message));
        Assert.Empty(spool.Pending("other"));
    }

    [Fact]
    public void NoTemporaryFileIsLeftAndTheChannelFolderIsPrivate()
    {
        var spool = new NotificationSpool(_directory.Path, 10);
        spool.Add("ops", Events.Custom("x"));

        var lane = Path.Combine(_directory.Path, "ops");
        Assert.Single(Directory.GetFiles(lane));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(lane));
    }

    [Fact]
    public void ACorruptFileIsReportedNotSwallowed()
    {
        var spool = new NotificationSpool(_directory.Path, 10);
        var entry = spool.Add("ops", Events.Custom("x")).Entry;
        File.WriteAllText(entry.Path, "{ truncated");

        Assert.Throws<SpoolCorruptException>(() => spool.Read(entry));
        spool.SetAside(entry, "unreadable");
        Assert.Empty(spool.Pending("ops"));
        Assert.True(File.Exists(Path.Combine(_directory.Path, "ops", NotificationSpool.RejectedFolder, Path.GetFileName(entry.Path))));
    }

    [Fact]
    public void OnlyOneHolderOfAChannelLockAtATime()
    {
        var spool = new NotificationSpool(_directory.Path, 10);
        using (var held = spool.TryLock("ops"))
        {
            Assert.NotNull(held);
            Assert.Null(new NotificationSpool(_directory.Path, 10).TryLock("ops"));
            using var other = spool.TryLock("other");
            Assert.NotNull(other);
        }

        using var again = spool.TryLock("ops");
        Assert.NotNull(again);
    }
}
