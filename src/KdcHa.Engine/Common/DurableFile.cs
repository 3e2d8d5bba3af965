using System.IO;

namespace KdcHa.Common;

internal static class DurableFile
{
    /// <summary>Creates the file (never overwrites) and fsyncs it, so a following rename publishes complete content.</summary>
    public static void Write(string path, byte[] content)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        stream.Write(content, 0, content.Length);
        stream.Flush(flushToDisk: true);
    }
}
