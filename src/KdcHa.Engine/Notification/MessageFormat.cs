namespace KdcHa.Notification;

/// <summary>How the DingTalk and WeCom robots render the text: both accept a markdown subset or plain text.</summary>
public enum MessageFormat
{
    Markdown,
    Text,
}
