using System;
using System.Globalization;
using System.Text.Json.Nodes;

namespace KdcHa.Notification.Channels;

/// <summary>
/// DingTalk custom robot. With "加签" (sign) enabled the URL gains timestamp (ms) and
/// sign = urlencode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret))); DingTalk accepts the pair for one hour.
/// </summary>
public sealed class DingTalkPayloadBuilder : WebhookPayloadBuilder
{
    // 130101: sending too fast (20 messages a minute per robot); worth retrying later.
    private const long RateLimited = 130101;

    private readonly MessageFormat _format;

    public DingTalkPayloadBuilder(MessageFormat format)
    {
        _format = format;
    }

    public override WebhookRequest Build(NotificationEvent notification, WebhookTarget target, DateTimeOffset now)
    {
        var url = target.Url;
        if (target.SigningSecret is not null)
        {
            var timestamp = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            var sign = HmacSignature.Base64(HmacSignature.Sha256(target.SigningSecret, timestamp + "\n" + target.SigningSecret));
            url = AppendQuery(url, "timestamp=" + timestamp + "&sign=" + Uri.EscapeDataString(sign));
        }

        var body = _format == MessageFormat.Markdown
            ? new JsonObject
            {
                ["msgtype"] = "markdown",
                ["markdown"] = new JsonObject { ["title"] = notification.DisplayTitle, ["text"] = NotificationText.Markdown(notification) },
            }
            : new JsonObject
            {
                ["msgtype"] = "text",
                ["text"] = new JsonObject { ["content"] = NotificationText.Plain(notification) },
            };
        return Json(url, body);
    }

    public override void CheckAccepted(WebhookResponse response) =>
        CheckVendorCode(response, "errcode", "errmsg", code => code == RateLimited);
}
