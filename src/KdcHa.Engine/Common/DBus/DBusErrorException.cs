namespace KdcHa.Common.DBus;

/// <summary>The peer answered a method call with a DBus error message.</summary>
public sealed class DBusErrorException : KdcHaException
{
    public const string AccessDenied = "org.freedesktop.DBus.Error.AccessDenied";
    public const string NameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner";

    public DBusErrorException(string errorName, string message)
        : base($"{errorName}: {message}")
    {
        ErrorName = errorName;
    }

    /// <summary>The error's name, such as org.freedesktop.DBus.Error.AccessDenied.</summary>
    public string ErrorName { get; }
}
