using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace KdcHa.Notification.Channels;

/// <summary>Builds the channel a definition describes, over one shared HTTP poster and secret resolver.</summary>
public sealed class NotificationChannelFactory
{
    private readonly IHttpPoster _poster;
    private readonly ISecretResolver _secrets;
    private readonly TimeProvider _time;

    public NotificationChannelFactory(IHttpPoster poster, ISecretResolver secrets, TimeProvider time)
    {
        _poster = poster;
        _secrets = secrets;
        _time = time;
    }

    public INotificationChannel Create(NotificationChannelDefinition definition)
    {
        definition.Validate();
        var format = definition.MessageFormat;
        return definition.ChannelType switch
        {
            NotificationChannelType.Webhook => Webhook(definition, new GenericWebhookPayloadBuilder()),
            NotificationChannelType.Slack => Webhook(definition, new SlackPayloadBuilder()),
            NotificationChannelType.Teams => Webhook(definition, new TeamsPayloadBuilder()),
            NotificationChannelType.DingTalk => Webhook(definition, new DingTalkPayloadBuilder(format)),
            NotificationChannelType.WeCom => Webhook(definition, new WeComPayloadBuilder(format)),
            NotificationChannelType.Feishu => Webhook(definition, new FeishuPayloadBuilder()),
            NotificationChannelType.Email => new SmtpChannel(definition, _secrets),
            NotificationChannelType.Syslog => new SyslogChannel(definition),
            NotificationChannelType.Command => new CommandChannel(definition),
            _ => throw new NotificationConfigurationException($"Channel '{definition.Name}': unknown type {definition.Type}."),
        };
    }

    private WebhookChannel Webhook(NotificationChannelDefinition definition, WebhookPayloadBuilder builder) =>
        new(definition, builder, _poster, _secrets, _time);
}

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
