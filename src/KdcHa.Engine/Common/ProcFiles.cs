using System;
using System.IO;
using System.Text;

namespace KdcHa.Common;

/// <summary>The name and state of a process from /proc/&lt;pid&gt;/stat, read in one go.</summary>
public sealed record ProcessStat(string Name, char State)
{
    // A stat line is at most about 700 bytes: comm is 16 at most, and the 50 numbers after it are 20 digits at most.
    private const int MaxStatBytes = 2048;

    /// <summary>A zombie (Z) or dead (X) process has exited already and only waits for its parent to collect it.</summary>
    public bool HasExited => State is 'Z' or 'X';

    /// <exception cref="IOException">No such process (or it ended while being read).</exception>
    public static ProcessStat Read(string pid)
    {
        Span<byte> buffer = stackalloc byte[MaxStatBytes];
        var stat = SmallFile.Read($"/proc/{pid}/stat", buffer);

        // "pid (comm) state ...": comm may hold spaces and parentheses, so it ends at the last ')'.
        var open = stat.IndexOf((byte)'(');
        var close = stat.LastIndexOf((byte)')');
        var name = open >= 0 && close > open ? Encoding.UTF8.GetString(stat[(open + 1)..close]) : string.Empty;
        var state = close >= 0 && close + 2 < stat.Length ? (char)stat[close + 2] : '?';
        return new ProcessStat(name, state);
    }
}

/// <summary>
/// Reads a small file (a /proc entry, a pid file) into the caller's buffer: no stream, no reader and no array per read,
/// for the files the monitor reads every round or at every VRRP advertisement it hears. /proc files report a size of
/// 0, so the read goes on until end of file or a full buffer.
/// </summary>
internal static class SmallFile
{
    /// <summary>The file's first <c>buffer.Length</c> bytes (all of a file that fits).</summary>
    /// <exception cref="IOException">The file cannot be opened or read (FileNotFoundException, DirectoryNotFoundException among them).</exception>
    /// <exception cref="UnauthorizedAccessException">Reading it is not permitted.</exception>
    public static Span<byte> Read(string path, Span<byte> buffer)
    {
        using var handle = File.OpenHandle(path);
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = RandomAccess.Read(handle, buffer[filled..], filled)) > 0)
        {
            filled += read;
        }

        return buffer[..filled];
    }
}
