using System.IO;

namespace KdcHa.Common;

/// <summary>The name and state of a process from /proc/&lt;pid&gt;/stat, read in one go.</summary>
public sealed record ProcessStat(string Name, char State)
{
    /// <summary>A zombie (Z) or dead (X) process has exited already and only waits for its parent to collect it.</summary>
    public bool HasExited => State is 'Z' or 'X';

    /// <exception cref="IOException">No such process (or it ended while being read).</exception>
    public static ProcessStat Read(string pid)
    {
        // "pid (comm) state ...": comm may hold spaces and parentheses, so it ends at the last ')'.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var open = stat.IndexOf('(');
        var close = stat.LastIndexOf(')');
        var name = open >= 0 && close > open ? stat.Substring(open + 1, close - open - 1) : string.Empty;
        var state = close >= 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
        return new ProcessStat(name, state);
    }
}
