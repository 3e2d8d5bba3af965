using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using KdcHa.Keepalived;

namespace KdcHa.Tests.Keepalived;

/// <summary>
/// keepalived re-reads a track file on IN_CLOSE_WRITE or IN_MOVED_TO for its name, at whatever moment it gets to
/// the event (see <c>TrackFileValue</c>). These tests watch the directory with inotify as keepalived does and ask
/// that the tracked name only ever changes by one rename, so no read can find it truncated or half-written.
/// </summary>
public class TrackFileValueTests
{
    public static TheoryData<string, bool> Writers => new()
    {
        { "maintenance set", false }, { "maintenance set", true },
        { "maintenance clear", false }, { "maintenance clear", true },
        { "fault set", false }, { "fault set", true },
        { "fault clear", false }, { "fault clear", true },
    };

    [Theory]
    [MemberData(nameof(Writers))]
    public void KeepalivedSeesTheTrackedNameOnlyAsOneCompleteRename(string writer, bool fileExists)
    {
        using var directory = new TempDirectory();
        var path = directory.File("tracked");
        if (fileExists)
        {
            File.WriteAllText(path, "7\n");
        }

        using var watch = new DirectoryEvents(directory.Path);
        var expected = Write(writer, path);

        Assert.Equal([DirectoryEvents.MovedTo], watch.ReadMasks("tracked"));
        Assert.Equal(expected, File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(directory.Path));
    }

    private static string Write(string writer, string path)
    {
        switch (writer)
        {
            case "maintenance set":
                new MaintenanceFlagFile(path).Set();
                return "1\n";
            case "maintenance clear":
                new MaintenanceFlagFile(path).Clear();
                return "0\n";
            case "fault set":
                new TrackFiles(path, path + ".heartbeat").WriteFault(true);
                return "1\n";
            default:
                new TrackFiles(path, path + ".heartbeat").WriteFault(false);
                return "0\n";
        }
    }

    /// <summary>An inotify watch on a directory for every event that changes a file's content or name.</summary>
    private sealed class DirectoryEvents : IDisposable
    {
        public const uint Modify = 0x2;
        public const uint CloseWrite = 0x8;
        public const uint MovedFrom = 0x40;
        public const uint MovedTo = 0x80;
        public const uint Create = 0x100;
        public const uint Delete = 0x200;
        private const int NonBlocking = 0x800;
        private const int CloseOnExec = 0x80000;
        private const int WouldBlock = 11;
        private readonly int _descriptor;

        public DirectoryEvents(string directory)
        {
            _descriptor = InotifyInit(NonBlocking | CloseOnExec);
            if (_descriptor < 0 || InotifyAddWatch(_descriptor, directory, Modify | CloseWrite | MovedFrom | MovedTo | Create | Delete) < 0)
            {
                throw new Win32Exception(Marshal.GetLastWin32Error());
            }
        }

        /// <summary>The masks queued so far for one name, in order; the kernel queues them inside the system call.</summary>
        public List<uint> ReadMasks(string name)
        {
            var masks = new List<uint>();
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var length = (long)Read(_descriptor, buffer, (UIntPtr)buffer.Length);
                if (length < 0)
                {
                    var error = Marshal.GetLastWin32Error();
                    return error == WouldBlock ? masks : throw new Win32Exception(error);
                }

                // struct inotify_event: int wd; uint32 mask, cookie, len; char name[len] (NUL-padded).
                for (var offset = 0; offset < length;)
                {
                    var mask = BitConverter.ToUInt32(buffer, offset + 4);
                    var nameLength = (int)BitConverter.ToUInt32(buffer, offset + 12);
                    var eventName = Encoding.UTF8.GetString(buffer, offset + 16, nameLength).TrimEnd('\0');
                    if (eventName == name)
                    {
                        masks.Add(mask);
                    }

                    offset += 16 + nameLength;
                }
            }
        }

        public void Dispose() => Close(_descriptor);

        [DllImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
        private static extern int InotifyInit(int flags);

        [DllImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true)]
        private static extern int InotifyAddWatch(int descriptor, string path, uint mask);

        [DllImport("libc", EntryPoint = "read", SetLastError = true)]
        private static extern IntPtr Read(int descriptor, byte[] buffer, UIntPtr count);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        private static extern int Close(int descriptor);
    }
}
