using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using KdcHa.Common;

namespace KdcHa.Notification;

/// <summary>Durable per-channel queues that outlive the process; several processes may share one spool.</summary>
public interface INotificationSpool
{
    /// <summary>Durably stores the notification for the channel before returning, evicting the oldest past the bound.</summary>
    SpoolAddResult Add(string channel, NotificationEvent notification);

    /// <summary>The channel's entries, oldest first.</summary>
    IReadOnlyList<SpoolEntry> Pending(string channel);

    /// <summary>Throws <see cref="SpoolCorruptException"/> for a file that is not a spool record.</summary>
    NotificationEvent Read(SpoolEntry entry);

    void Complete(SpoolEntry entry);

    /// <summary>Moves the entry to the channel's rejected folder, where an operator can inspect it.</summary>
    void SetAside(SpoolEntry entry, string reason);

    /// <summary>Exclusive right to deliver the channel's entries, or null while another dispatcher holds it.</summary>
    IDisposable? TryLock(string channel);
}

/// <summary>
/// A directory per channel holding one JSON file per notification. Files are written to a temporary name, flushed to
/// disk (fsync) and renamed, so a crash leaves either the whole record or nothing. Names start with a sequence
/// number that orders delivery; a lock file (flock through FileShare.None) lets one dispatcher at a time deliver a
/// channel, and the kernel releases it when that process dies, even by kill -9.
/// </summary>
public sealed class NotificationSpool : INotificationSpool
{
    public const string RejectedFolder = "rejected";
    private const string Extension = ".json";
    private const string TemporaryPrefix = ".tmp-";
    private const string LockFile = ".lock";

    // A temporary file this old belongs to a writer that died between write and rename.
    private static readonly TimeSpan AbandonedTemporaryAge = TimeSpan.FromMinutes(10);

    private readonly object _sequenceGate = new();
    private readonly TimeProvider _time;
    private long _lastSequence;

    public NotificationSpool(string root, int maxPendingPerChannel, TimeProvider? time = null)
    {
        if (maxPendingPerChannel < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPendingPerChannel), "A spool must hold at least one notification per channel.");
        }

        Root = root;
        MaxPendingPerChannel = maxPendingPerChannel;
        _time = time ?? TimeProvider.System;
    }

    public string Root { get; }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    public int MaxPendingPerChannel { get; }

    /// <summary>
    /// Every channel with a folder in the spool, including channels no configuration defines any more (such as
    /// an in-session channel of a process that ended), so their leftovers can be reported instead of ignored.
    /// </summary>
    public IReadOnlyList<string> Channels() => Directory.Exists(Root)
        ? Directory.EnumerateDirectories(Root).Select(directory => Path.GetFileName(directory)).OrderBy(name => name, StringComparer.Ordinal).ToList()
        : Array.Empty<string>();

    public SpoolAddResult Add(string channel, NotificationEvent notification)
    {
        var lane = LaneDirectory(channel);
        var evicted = new List<SpoolEntry>();
        var pending = Pending(channel);
        foreach (var oldest in pending.Take(Math.Max(0, pending.Count - MaxPendingPerChannel + 1)))
        {
            File.Delete(oldest.Path);
            evicted.Add(oldest);
        }

        var record = new SpoolRecord { Channel = channel, SpooledAt = Now, Event = notification };
        var temporary = Path.Combine(lane, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        DurableFile.Write(temporary, Encoding.UTF8.GetBytes(NotificationJson.Serialize(record)));
        while (true)
        {
            var sequence = NextSequence();
            var path = Path.Combine(lane, FileName(sequence, notification.Id));
            try
            {
                // File.Move never replaces: a name another process took a moment ago makes us take the next number.
                File.Move(temporary, path);
                return new SpoolAddResult(new SpoolEntry(channel, path, sequence, notification.Id), evicted);
            }
            catch (IOException) when (File.Exists(path))
            {
            }
        }
    }

    public IReadOnlyList<SpoolEntry> Pending(string channel)
    {
        var lane = LaneDirectory(channel);
        var entries = new List<SpoolEntry>();
        foreach (var path in Directory.EnumerateFiles(lane))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith(TemporaryPrefix, StringComparison.Ordinal))
            {
                RemoveIfAbandoned(path);
                continue;
            }

            if (TryParseName(name, out var sequence, out var eventId))
            {
                entries.Add(new SpoolEntry(channel, path, sequence, eventId));
            }
        }

        return entries.OrderBy(entry => entry.Sequence).ThenBy(entry => entry.Path, StringComparer.Ordinal).ToList();
    }

    public NotificationEvent Read(SpoolEntry entry)
    {
        try
        {
            return NotificationJson.Deserialize<SpoolRecord>(File.ReadAllText(entry.Path, Encoding.UTF8)).Event;
        }
        catch (JsonException e)
        {
            throw new SpoolCorruptException($"The spool file {entry.Path} is not a notification record: {e.Message}", e);
        }
    }

    public void Complete(SpoolEntry entry) => File.Delete(entry.Path);

    public void SetAside(SpoolEntry entry, string reason)
    {
        var rejected = Path.Combine(Path.GetDirectoryName(entry.Path)!, RejectedFolder);
        Directory.CreateDirectory(rejected);
        var destination = Path.Combine(rejected, Path.GetFileName(entry.Path));
        if (File.Exists(entry.Path))
        {
            File.Move(entry.Path, destination);
            DurableFile.Write(destination + ".reason", Encoding.UTF8.GetBytes(reason + "\n"));
        }
    }

    public IDisposable? TryLock(string channel)
    {
        try
        {
            return new FileStream(Path.Combine(LaneDirectory(channel), LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private string LaneDirectory(string channel)
    {
        var lane = Path.Combine(Root, channel);
        if (!Directory.Exists(lane))
        {
            Directory.CreateDirectory(lane);

            // Alert text names hosts and states; other local users have no business reading it.
            FilePermissions.RestrictToOwner(Root);
            FilePermissions.RestrictToOwner(lane);
        }

        return lane;
    }

    private long NextSequence()
    {
        lock (_sequenceGate)
        {
            // Clock ticks keep the order across processes and restarts; the counter keeps it within a tick.
            _lastSequence = Math.Max(_lastSequence + 1, Now.Ticks);
            return _lastSequence;
        }
    }

    private static string FileName(long sequence, string eventId) =>
        sequence.ToString("D19", CultureInfo.InvariantCulture) + "-" + SafeName(eventId) + Extension;

    private static bool TryParseName(string name, out long sequence, out string eventId)
    {
        sequence = 0;
        eventId = string.Empty;
        var dash = name.IndexOf('-');
        if (!name.EndsWith(Extension, StringComparison.Ordinal) || dash < 1
            || !long.TryParse(name.Substring(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out sequence))
        {
            return false;
        }

        eventId = name.Substring(dash + 1, name.Length - dash - 1 - Extension.Length);
        return true;
    }

    // Event ids may come from the pipeline; only a safe subset of characters reaches the file system.
    private static string SafeName(string eventId)
    {
        var name = new StringBuilder(Math.Min(eventId.Length, 64));
        foreach (var c in eventId.Take(64))
        {
            name.Append(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-' or '_' ? c : '_');
        }

        return name.ToString();
    }

    private void RemoveIfAbandoned(string path)
    {
        try
        {
            if (Now - File.GetLastWriteTimeUtc(path) > AbandonedTemporaryAge)
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
            // Another dispatcher removed or renamed it first.
        }
    }
}

/// <summary>One notification waiting for one channel: a file named &lt;sequence&gt;-&lt;event id&gt;.json in the channel's folder.</summary>
public sealed record SpoolEntry(string Channel, string Path, long Sequence, string EventId);

/// <summary>
/// The content of a spool file: the channel by name and the event. Never a URL, key or password; those are
/// resolved from the channel's references when the notification is sent.
/// </summary>
public sealed class SpoolRecord
{
    public string Channel { get; set; } = string.Empty;

    public DateTime SpooledAt { get; set; }

    public NotificationEvent Event { get; set; } = new();
}

/// <param name="Entry">The notification's new entry.</param>
/// <param name="Evicted">The oldest entries removed to keep the channel within its bound.</param>
public sealed record SpoolAddResult(SpoolEntry Entry, IReadOnlyList<SpoolEntry> Evicted);
