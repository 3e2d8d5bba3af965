namespace KdcHa.Notification;

public enum NotificationSeverity
{
    Info,
    Warning,
    Critical,
}
