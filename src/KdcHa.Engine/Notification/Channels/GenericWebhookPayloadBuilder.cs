using System;
using System.Globalization;

namespace KdcHa.Notification.Channels;

/// <summary>
/// The event itself as JSON. With a signing secret, receivers verify
/// X-KdcHa-Signature = "sha256=" + hex(HMAC-SHA256(secret, X-KdcHa-Timestamp + "." + body)) and reject stale
/// timestamps, which stops replays of a captured alert.
/// </summary>
public sealed class GenericWebhookPayloadBuilder : WebhookPayloadBuilder
{
    public const string TimestampHeader = "X-KdcHa-Timestamp";
    public const string SignatureHeader = "X-KdcHa-Signature";

    public override WebhookRequest Build(NotificationEvent notification, WebhookTarget target, DateTimeOffset now)
    {
        var request = new WebhookRequest(target.Url, NotificationJson.Serialize(notification));
        if (target.SigningSecret is not null)
        {
            var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signature = HmacSignature.Sha256(target.SigningSecret, timestamp + "." + request.Body);
            request.Headers.Add(new(TimestampHeader, timestamp));
            request.Headers.Add(new(SignatureHeader, "sha256=" + HmacSignature.Hex(signature)));
        }

        return request;
    }
}
