using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace KdcHa.Common;

/// <summary>The name and state of a process from /proc/&lt;pid&gt;/stat, read in one go.</summary>
public sealed record ProcessStat(string Name, char State)
{
    /// <summary>A zombie (Z) or dead (X) process has exited already and only waits for its parent to collect it.</summary>
    public bool HasExited => State is 'Z' or 'X';

    /// <exception cref="IOException">No such process (or it ended while being read).</exception>
    public static ProcessStat Read(string pid)
    {
        Span<byte> buffer = stackalloc byte[StatLine.MaxBytes];
        var stat = new StatLine(SmallFile.Read($"/proc/{pid}/stat", buffer));
        var state = stat.Field(3);
        return new ProcessStat(Encoding.UTF8.GetString(stat.Name), state.Length > 0 ? (char)state[0] : '?');
    }
}

/// <summary>
/// One /proc/&lt;pid&gt;/stat line, "pid (comm) state ppid ...", with its fields numbered as proc(5) numbers them.
/// comm may hold spaces and parentheses, so it ends at the last ')'.
/// </summary>
internal readonly ref struct StatLine
{
    /// <summary>A stat line is at most about 700 bytes: comm is 16 at most, and the 50 numbers after it 20 digits at most.</summary>
    public const int MaxBytes = 2048;

    private readonly ReadOnlySpan<byte> _afterName;

    public StatLine(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd((byte)'\n');
        var open = line.IndexOf((byte)'(');
        var close = line.LastIndexOf((byte)')');
        Name = open >= 0 && close > open ? line[(open + 1)..close] : default;
        _afterName = close >= 0 && close + 2 <= line.Length ? line[(close + 2)..] : default;
    }

    /// <summary>comm (field 2), without its parentheses.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>Field <paramref name="number"/> (3, the state, or later); empty when the line has fewer.</summary>
    public ReadOnlySpan<byte> Field(int number)
    {
        var rest = _afterName;
        for (var skip = number - 3; skip > 0 && !rest.IsEmpty; skip--)
        {
            var space = rest.IndexOf((byte)' ');
            rest = space < 0 ? default : rest[(space + 1)..];
        }

        var end = rest.IndexOf((byte)' ');
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>A numeric field; false when the line has fewer fields or that one is not a number.</summary>
    public bool TryNumber(int number, out long value) =>
        long.TryParse(Field(number), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <exception cref="FormatException">The line has fewer fields, or that one is not a number.</exception>
    public long Number(int number) =>
        TryNumber(number, out var value) ? value : throw new FormatException($"Field {number} of a /proc stat line is not a number.");
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
