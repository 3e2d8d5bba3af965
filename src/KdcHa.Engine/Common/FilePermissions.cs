using System;
using System.IO;
using System.Reflection;

namespace KdcHa.Common;

/// <summary>Unix permission checks that work from a netstandard2.0 assembly on any runtime.</summary>
public static class FilePermissions
{
    private const int OtherRead = 0x4;
    private const int OwnerOnlyFile = 0x180; // 0600
    private const int OwnerOnlyDirectory = 0x1C0; // 0700

    // File.GetUnixFileMode exists from .NET 7 on; looked up at run time because netstandard2.0 cannot name it,
    // and absent (so the check is skipped) on Windows PowerShell, where Unix modes do not apply.
    private static readonly MethodInfo? GetUnixFileMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
    private static readonly Type? UnixFileMode = typeof(File).Assembly.GetType("System.IO.UnixFileMode");
    private static readonly MethodInfo? SetUnixFileMode =
        UnixFileMode is null ? null : typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), UnixFileMode });

    /// <summary>True when anyone on the host may read the file: a keytab like that leaks the principal's keys.</summary>
    public static bool IsWorldReadable(string path)
    {
        if (GetUnixFileMode is null || Environment.OSVersion.Platform != PlatformID.Unix)
        {
            return false;
        }

        var mode = Convert.ToInt32(GetUnixFileMode.Invoke(null, new object[] { path }));
        return (mode & OtherRead) != 0;
    }

    /// <summary>Makes a file 0600 or a directory 0700: for spool folders and configuration files that name secrets.</summary>
    public static void RestrictToOwner(string path)
    {
        if (SetUnixFileMode is null || Environment.OSVersion.Platform != PlatformID.Unix)
        {
            return;
        }

        var mode = Directory.Exists(path) ? OwnerOnlyDirectory : OwnerOnlyFile;
        SetUnixFileMode.Invoke(null, new[] { path, Enum.ToObject(UnixFileMode!, mode) });
    }
}
