using KdcHa.Common;

namespace KdcHa.Notification;

/// <summary>A secret reference that names nothing at send time: an unset variable, a missing file or vault entry.</summary>
public sealed class NotificationSecretException : KdcHaException
{
    public NotificationSecretException(string reference, string message)
        : base(message)
    {
        Reference = reference;
    }

    public string Reference { get; }
}
