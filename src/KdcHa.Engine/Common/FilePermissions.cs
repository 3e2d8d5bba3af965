using System;
using System.IO;
using System.Reflection;

namespace KdcHa.Common;

/// <summary>Unix permission checks that work from a netstandard2.0 assembly on any runtime.</summary>
public static class FilePermissions
{
    private const int OtherRead = 0x4;

    // File.GetUnixFileMode exists from .NET 7 on; looked up at run time because netstandard2.0 cannot name it,
    // and absent (so the check is skipped) on Windows PowerShell, where Unix modes do not apply.
    private static readonly MethodInfo? GetUnixFileMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });

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
}
