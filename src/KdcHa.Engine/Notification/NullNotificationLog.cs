namespace KdcHa.Notification;

public sealed class NullNotificationLog : INotificationLog
{
    public static NullNotificationLog Instance { get; } = new();

    public void Write(string message)
    {
    }
}
