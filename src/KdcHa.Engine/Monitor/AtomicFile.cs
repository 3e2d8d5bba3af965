using System;
using System.IO;

namespace KdcHa.Monitor;

/// <summary>Replaces a file so readers see either the old or the new content, never a mix.</summary>
public static class AtomicFile
{
    public static void Replace(string path, byte[] content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? throw new ArgumentException($"{path} has no directory.", nameof(path));
        Directory.CreateDirectory(directory);

        // Same directory as the target: rename(2) is only atomic within one file system.
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, content);
            if (File.Exists(path))
            {
                File.Replace(temporary, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, path);
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
