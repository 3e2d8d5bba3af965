using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace KdcHa.Notification.Channels;

/// <summary>The human renderings every channel shares: facts, plain text and the markdown subset robots accept.</summary>
internal static class NotificationText
{
    public static IReadOnlyList<KeyValuePair<string, string>> Facts(NotificationEvent notification)
    {
        var facts = new List<KeyValuePair<string, string>>
        {
            new("Severity", notification.Severity.ToString()),
            new("Kind", notification.Kind.ToString()),
            new("Host", notification.Host),
        };
        if (!string.IsNullOrEmpty(notification.Instance))
        {
            facts.Add(new("Instance", notification.Instance!));
        }

        if (notification.OldState is not null || notification.NewState is not null)
        {
            facts.Add(new("State", $"{notification.OldState ?? "-"} -> {notification.NewState ?? "-"}"));
        }

        facts.Add(new("Time", Timestamp(notification)));
        facts.AddRange(notification.Details.OrderBy(detail => detail.Key, System.StringComparer.Ordinal));
        facts.Add(new("Event", notification.Id));
        return facts;
    }

    public static string Timestamp(NotificationEvent notification) =>
        notification.Time.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Plain(NotificationEvent notification)
    {
        var text = new StringBuilder();
        text.Append(notification.DisplayTitle).Append('\n').Append(notification.Message).Append('\n');
        foreach (var fact in Facts(notification))
        {
            text.Append('\n').Append(fact.Key).Append(": ").Append(fact.Value);
        }

        return text.ToString();
    }

    public static string Markdown(NotificationEvent notification)
    {
        var text = new StringBuilder();
        text.Append("#### ").Append(notification.DisplayTitle).Append("\n\n").Append(notification.Message).Append("\n\n");
        foreach (var fact in Facts(notification))
        {
            text.Append("> **").Append(fact.Key).Append(":** ").Append(fact.Value).Append("  \n");
        }

        return text.ToString();
    }
}
