using System;
using System.Text;
using System.Text.Json.Nodes;

namespace KdcHa.Notification.Channels;

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
