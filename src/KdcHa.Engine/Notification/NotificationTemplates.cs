using System.Collections.Generic;
using System.Text;

namespace KdcHa.Notification;

/// <summary>
/// Message text per kind, with {Placeholder} fields taken from the event (Instance, OldState, NewState, Host, Source,
/// Severity, Kind, Time, Id, or any key of Details). Operators replace the defaults in the configuration file to
/// translate or reword alerts; an unknown placeholder is left as written so a typo shows up in the alert itself.
/// </summary>
public sealed class NotificationTemplates
{
    private static readonly IReadOnlyDictionary<NotificationKind, string> Defaults = new Dictionary<NotificationKind, string>
    {
        [NotificationKind.VrrpStateChanged] = "VRRP instance {Instance} on {Host} changed from {OldState} to {NewState}.",
        [NotificationKind.KdcUnhealthy] = "The KDC on {Host} is unhealthy ({NewState}).",
        [NotificationKind.KdcRecovered] = "The KDC on {Host} is healthy again.",
        [NotificationKind.SplitBrain] = "Split brain: more than one node holds {Instance} as {NewState}.",
        [NotificationKind.SwitchoverCompleted] = "Switchover of {Instance} completed: {Host} is now {NewState}.",
        [NotificationKind.ChannelTest] = "Test notification from KdcHa on {Host}.",
        [NotificationKind.Custom] = "{Kind} on {Host}.",
    };

    private readonly IReadOnlyDictionary<NotificationKind, string> _overrides;

    public NotificationTemplates(IReadOnlyDictionary<NotificationKind, string>? overrides = null)
    {
        _overrides = overrides ?? new Dictionary<NotificationKind, string>();
    }

    /// <summary>The event with <see cref="NotificationEvent.Message"/> filled from its kind's template when empty.</summary>
    public NotificationEvent Complete(NotificationEvent notification)
    {
        if (!string.IsNullOrEmpty(notification.Message))
        {
            return notification;
        }

        var template = _overrides.TryGetValue(notification.Kind, out var custom) ? custom
            : Defaults.TryGetValue(notification.Kind, out var standard) ? standard
            : Defaults[NotificationKind.Custom];
        return notification with { Message = Render(template, notification) };
    }

    public static string Render(string template, NotificationEvent notification)
    {
        var text = new StringBuilder(template.Length + 64);
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            var close = open < 0 ? -1 : template.IndexOf('}', open + 1);
            if (close < 0)
            {
                text.Append(template, position, template.Length - position);
                break;
            }

            text.Append(template, position, open - position);
            var name = template.Substring(open + 1, close - open - 1);
            text.Append(ValueOf(name, notification) ?? template.Substring(open, close - open + 1));
            position = close + 1;
        }

        return text.ToString();
    }

    private static string? ValueOf(string name, NotificationEvent notification) => name switch
    {
        "Instance" => notification.Instance ?? "-",
        "OldState" => notification.OldState ?? "-",
        "NewState" => notification.NewState ?? "-",
        "Host" => notification.Host,
        "Source" => notification.Source,
        "Severity" => notification.Severity.ToString(),
        "Kind" => notification.Kind.ToString(),
        "Time" => notification.Time.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
        "Id" => notification.Id,
        "Title" => notification.DisplayTitle,
        _ => notification.Details.TryGetValue(name, out var detail) ? detail : null,
    };
}
