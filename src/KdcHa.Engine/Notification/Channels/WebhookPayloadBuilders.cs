using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KdcHa.Notification.Channels;

/// <summary>
/// What differs between webhook vendors: the body, where the signature goes, and how a 2xx reply says "rejected".
/// Posting, headers, status handling and retries are shared by <see cref="WebhookChannel"/>.
/// </summary>
public abstract class WebhookPayloadBuilder
{
    public abstract WebhookRequest Build(NotificationEvent notification, WebhookTarget target, DateTimeOffset now);

    /// <summary>Called for 2xx replies only; robots (DingTalk, WeCom, Feishu) report errors inside a 200.</summary>
    public virtual void CheckAccepted(WebhookResponse response)
    {
    }

    protected static WebhookRequest Json(string url, JsonNode body) =>
        new(url, body.ToJsonString(NotificationJson.Options));

    protected static string AppendQuery(string url, string query) =>
        url + (url.IndexOf('?') >= 0 ? "&" : "?") + query;

    /// <summary>Reads a robot's {"code": n, "msg": "..."} reply; code 0 is success.</summary>
    protected static void CheckVendorCode(WebhookResponse response, string codeField, string messageField, Func<long, bool> isTransient)
    {
        long code;
        string message;
        try
        {
            using var document = JsonDocument.Parse(response.Body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(codeField, out var codeElement) || codeElement.ValueKind != JsonValueKind.Number || !codeElement.TryGetInt64(out code))
            {
                throw new NotificationDeliveryException($"The reply has no numeric '{codeField}': {response.BodyExcerpt}", isPermanent: true);
            }

            message = root.TryGetProperty(messageField, out var text) ? NotificationDeliveryException.Quote(text.ToString()) : string.Empty;
        }
        catch (JsonException e)
        {
            throw new NotificationDeliveryException($"The reply is not JSON: {response.BodyExcerpt}", isPermanent: true, e);
        }

        if (code != 0)
        {
            throw new NotificationDeliveryException($"The robot refused the message: {codeField} {code}, {message}", !isTransient(code));
        }
    }
}

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

/// <summary>
/// Slack incoming webhook: Block Kit blocks plus the top-level "text" Slack shows in notifications and uses as the
/// fallback. Slack answers 200 "ok", or 4xx with a reason such as invalid_payload or no_service.
/// </summary>
public sealed class SlackPayloadBuilder : WebhookPayloadBuilder
{
    // Slack rejects a header block longer than 150 characters and a section text longer than 3000.
    private const int MaxHeaderLength = 150;
    private const int MaxSectionLength = 3000;

    public override WebhookRequest Build(NotificationEvent notification, WebhookTarget target, DateTimeOffset now)
    {
        var facts = string.Join(" | ", NotificationText.Facts(notification).Select(fact => $"*{fact.Key}:* {fact.Value}"));
        var body = new JsonObject
        {
            ["text"] = $"{notification.DisplayTitle}: {notification.Message}",
            ["blocks"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "header",
                    ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Clip(notification.DisplayTitle, MaxHeaderLength) },
                },
                new JsonObject
                {
                    ["type"] = "section",
                    ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Clip(notification.Message, MaxSectionLength) },
                },
                new JsonObject
                {
                    ["type"] = "context",
                    ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = Clip(facts, MaxSectionLength) }),
                }),
        };
        return Json(target.Url, body);
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text.Substring(0, length - 1) + "…";
}

/// <summary>
/// Microsoft Teams "Post to a channel when a webhook request is received" workflow: a message whose single
/// attachment is an Adaptive Card. The workflow answers 202 Accepted.
/// </summary>
public sealed class TeamsPayloadBuilder : WebhookPayloadBuilder
{
    public override WebhookRequest Build(NotificationEvent notification, WebhookTarget target, DateTimeOffset now)
    {
        var facts = new JsonArray(NotificationText.Facts(notification)
            .Select(fact => (JsonNode)new JsonObject { ["title"] = fact.Key, ["value"] = fact.Value })
            .ToArray());
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "TextBlock",
                    ["text"] = notification.DisplayTitle,
                    ["weight"] = "Bolder",
                    ["size"] = "Medium",
                    ["color"] = ColorOf(notification.Severity),
                    ["wrap"] = true,
                },
                new JsonObject { ["type"] = "TextBlock", ["text"] = notification.Message, ["wrap"] = true },
                new JsonObject { ["type"] = "FactSet", ["facts"] = facts }),
        };
        var body = new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["contentUrl"] = null,
                ["content"] = card,
            }),
        };
        return Json(target.Url, body);
    }

    private static string ColorOf(NotificationSeverity severity) => severity switch
    {
        NotificationSeverity.Critical => "Attention",
        NotificationSeverity.Warning => "Warning",
        _ => "Good",
    };
}

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

/// <summary>
/// WeCom (企业微信) group robot: {"msgtype":"markdown","markdown":{"content":...}} or msgtype text. The robot
/// rejects markdown content over 4096 bytes and text over 2048 bytes (UTF-8), so long alerts are clipped.
/// </summary>
public sealed class WeComPayloadBuilder : WebhookPayloadBuilder
{
    private const int MaxMarkdownBytes = 4096;
    private const int MaxTextBytes = 2048;

    // 45009: the robot's 20-messages-a-minute limit; worth retrying later.
    private const long RateLimited = 45009;

    private readonly MessageFormat _format;

    public WeComPayloadBuilder(MessageFormat format)
    {
        _format = format;
    }

    public override WebhookRequest Build(NotificationEvent notification, WebhookTarget target, DateTimeOffset now)
    {
        var body = _format == MessageFormat.Markdown
            ? new JsonObject
            {
                ["msgtype"] = "markdown",
                ["markdown"] = new JsonObject { ["content"] = ClipUtf8(NotificationText.Markdown(notification), MaxMarkdownBytes) },
            }
            : new JsonObject
            {
                ["msgtype"] = "text",
                ["text"] = new JsonObject { ["content"] = ClipUtf8(NotificationText.Plain(notification), MaxTextBytes) },
            };
        return Json(target.Url, body);
    }

    public override void CheckAccepted(WebhookResponse response) =>
        CheckVendorCode(response, "errcode", "errmsg", code => code == RateLimited);

    internal static string ClipUtf8(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        const string Ellipsis = "…";
        var budget = maxBytes - Encoding.UTF8.GetByteCount(Ellipsis);
        var length = 0;
        var bytes = 0;
        while (length < text.Length)
        {
            var step = char.IsHighSurrogate(text[length]) && length + 1 < text.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(text.AsSpan(length, step));
            if (bytes + size > budget)
            {
                break;
            }

            bytes += size;
            length += step;
        }

        return text.Substring(0, length) + Ellipsis;
    }
}

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

internal static class HmacSignature
{
    public static byte[] Sha256(string key, string message) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message));

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static string Base64(byte[] bytes) => Convert.ToBase64String(bytes);
}
