namespace KdcHa.Notification;

/// <summary>
/// One value of Send-KdcHaNotification -Channel: a name pattern for channels of the configuration file, or a
/// channel definition object (New-KdcHaNotificationChannel output) used as it is, which is how an in-session
/// channel whose secret exists only under a session: reference reaches the engine.
/// </summary>
public sealed class NotificationChannelSelector
{
    public NotificationChannelSelector(string pattern)
    {
        Pattern = pattern;
    }

    public NotificationChannelSelector(NotificationChannelDefinition definition)
    {
        Definition = definition;
    }

    public string? Pattern { get; }

    public NotificationChannelDefinition? Definition { get; }

    public override string ToString() => Pattern ?? Definition!.Name;
}
