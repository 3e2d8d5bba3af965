using System;
using System.IO;

namespace KdcHa.Common;

/// <summary>Replaces a file so readers see either the old or the new content, never a mix.</summary>
internal static class AtomicFile
{
    public static void Replace(string path, byte[] content) => Replace(path, content, durable: false, prepare: null);

    /// <param name="path">The file to replace or create.</param>
    /// <param name="content">Its complete new content.</param>
    /// <param name="durable">fsync the new content before the rename, so a crash cannot publish an empty file.</param>
    /// <param name="prepare">Runs on the temporary file before it takes the name (permissions, say), so the target never exists in another state.</param>
    public static void Replace(string path, byte[] content, bool durable, Action<string>? prepare)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? throw new ArgumentException($"{path} has no directory.", nameof(path));
        Directory.CreateDirectory(directory);

        // Same directory as the target: rename(2) is only atomic within one file system.
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            if (durable)
            {
                DurableFile.Write(temporary, content);
            }
            else
            {
                File.WriteAllBytes(temporary, content);
            }

            prepare?.Invoke(temporary);
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
