using System;
using System.Globalization;
using System.Text.Json.Nodes;

namespace KdcHa.Notification.Channels;

/// <summary>
/// Feishu / Lark custom bot: {"msg_type":"text","content":{"text":...}}. With signature verification on, the body
/// gains timestamp (seconds, as a string) and sign = base64(HMAC-SHA256(key: timestamp + "\n" + secret, message: empty)),
/// which Feishu accepts within an hour of the timestamp.
/// </summary>
public sealed class FeishuPayloadBuilder : WebhookPayloadBuilder
{
    // 11232: the bot's frequency limit (100 a minute, 5 a second); worth retrying later.
    private const long RateLimited = 11232;

    public override WebhookRequest Build(NotificationEvent notification, WebhookTarget target, DateTimeOffset now)
    {
        var body = new JsonObject();
        if (target.SigningSecret is not null)
        {
            var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            body["timestamp"] = timestamp;
            body["sign"] = HmacSignature.Base64(HmacSignature.Sha256(timestamp + "\n" + target.SigningSecret, string.Empty));
        }

        body["msg_type"] = "text";
        body["content"] = new JsonObject { ["text"] = NotificationText.Plain(notification) };
        return Json(target.Url, body);
    }

    public override void CheckAccepted(WebhookResponse response) =>
        CheckVendorCode(response, "code", "msg", code => code == RateLimited);
}
