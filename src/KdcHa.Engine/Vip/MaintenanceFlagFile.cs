using System;
using System.IO;

namespace KdcHa.Vip;

/// <summary>The track_file on disk. keepalived watches it with inotify and re-reads it on every completed write.</summary>
public sealed class MaintenanceFlagFile : IMaintenanceFlag
{
    public MaintenanceFlagFile(string path)
    {
        Path = string.IsNullOrEmpty(path) ? throw new ArgumentException("A path is required.", nameof(path)) : path;
    }

    public string Path { get; }

    /// <summary>keepalived treats a missing or empty file as 0, so only a non-zero number counts as set.</summary>
    public bool IsSet
    {
        get
        {
            try
            {
                var text = File.ReadAllText(Path).Trim();
                return text.Length > 0 && !(long.TryParse(text, out var value) && value == 0);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return false;
            }
        }
    }

    public void Set() => Write("1");

    public void Clear() => Write("0");

    // Rewritten in place rather than renamed over: keepalived watches the file for IN_CLOSE_WRITE.
    private void Write(string value)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path) ?? "/");
            File.WriteAllText(Path, value + "\n");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InsufficientPrivilegeException($"Cannot write the maintenance file {Path}: {e.Message} Run as root.", e);
        }
    }
}
