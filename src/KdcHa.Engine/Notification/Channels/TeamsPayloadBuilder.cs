using System;
using System.Linq;
using System.Text.Json.Nodes;

namespace KdcHa.Notification.Channels;

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
