using System.Linq;

namespace KdcHa.Common.DBus;

/// <summary>Object path syntax: "/" or "/" -separated elements of [A-Za-z0-9_], no empty element, no trailing "/".</summary>
internal static class DBusObjectPath
{
    /// <exception cref="DBusProtocolException">Not an object path.</exception>
    public static string Validate(string path) =>
        path == "/" || (path.Length > 1 && path[0] == '/' && path.Substring(1).Split('/').All(IsElement))
            ? path
            : throw new DBusProtocolException($"'{Shorten(path)}' is not a DBus object path.");

    public static bool IsElement(string element) =>
        element.Length > 0 && element.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 80) + "...";
}
