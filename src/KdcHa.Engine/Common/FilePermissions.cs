using System.IO;

namespace KdcHa.Common;

/// <summary>Unix permission checks for files that hold or name secrets.</summary>
public static class FilePermissions
{
    /// <summary>True when anyone on the host may read the file: a keytab like that leaks the principal's keys.</summary>
    public static bool IsWorldReadable(string path) => (File.GetUnixFileMode(path) & UnixFileMode.OtherRead) != 0;

    /// <summary>Makes a file 0600 or a directory 0700: for spool folders and configuration files that name secrets.</summary>
    public static void RestrictToOwner(string path)
    {
        if (Directory.Exists(path))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        else
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
