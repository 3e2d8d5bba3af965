using System;

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
