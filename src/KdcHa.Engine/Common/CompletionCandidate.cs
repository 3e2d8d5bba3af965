using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace KdcHa.Common;

/// <summary>A value an argument completer offers, and where it was read: the completion's tooltip.</summary>
public sealed record CompletionCandidate(string Value, string Source);

/// <summary>
/// How argument completers read a local file. Completion runs at every Tab press, so a read is cheap and never fails
/// the prompt: a file that is missing, empty, not a regular file (a FIFO would wait for a writer, /dev/zero never
/// ends), larger than <see cref="MaxBytes"/>, unreadable or malformed offers nothing.
/// </summary>
public static class CompletionFile
{
    /// <summary>The largest file a completer reads; configuration files are a few kilobytes.</summary>
    public const long MaxBytes = 1024 * 1024;

    public static IReadOnlyList<CompletionCandidate> Read(string path, Func<string, IEnumerable<CompletionCandidate>> read)
    {
        try
        {
            var file = new FileInfo(path);
            return file.Exists && file.Length is > 0 and <= MaxBytes ? read(path).ToList() : Array.Empty<CompletionCandidate>();
        }
        // Whatever a parser throws on a half-written or foreign file, Tab offers nothing rather than an error.
        catch (Exception)
        {
            return Array.Empty<CompletionCandidate>();
        }
    }
}
