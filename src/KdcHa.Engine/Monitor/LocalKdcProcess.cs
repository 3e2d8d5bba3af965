using System;
using System.IO;
using System.Linq;
using KdcHa.Common;

namespace KdcHa.Monitor;

/// <summary>Whether the local KDC's process exists: what tells a KDC that is restarting from one that is gone.</summary>
public interface ILocalKdcProcess
{
    /// <summary>The process name looked for, e.g. krb5kdc.</summary>
    string Name { get; }

    bool IsRunning();
}

/// <summary>
/// The local KDC's process as /proc shows it: a process of that name in this network namespace (a KDC on another
/// namespace of the same host, as in a lab or a container host, does not count). Read only when a probe was refused,
/// never every round.
/// </summary>
public sealed class ProcKdcProcess : ILocalKdcProcess
{
    public ProcKdcProcess(string name)
    {
        Name = string.IsNullOrEmpty(name) ? throw new ArgumentException("A process name is required.", nameof(name)) : name;
    }

    public string Name { get; }

    public bool IsRunning()
    {
        var namespaceLink = NetworkNamespace("self");
        return Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(entry => entry!.All(char.IsAsciiDigit))
            .Any(pid => IsLive(pid!) && NetworkNamespace(pid!) == namespaceLink);
    }

    // A process may exit between the listing and the read: it then simply does not match. A zombie has exited.
    private bool IsLive(string pid)
    {
        try
        {
            var stat = ProcessStat.Read(pid);
            return stat.Name == Name && !stat.HasExited;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? NetworkNamespace(string pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
