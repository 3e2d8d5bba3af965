namespace KdcHa.Notification;

public enum NotificationChannelType
{
    Webhook,
    Slack,
    Teams,
    DingTalk,
    WeCom,
    Feishu,
    Email,
    Syslog,
    Command,
}
