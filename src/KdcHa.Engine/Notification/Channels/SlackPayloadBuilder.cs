using System;
using System.Linq;
using System.Text.Json.Nodes;

namespace KdcHa.Notification.Channels;

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
