using System;
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
            if (!document.RootElement.TryGetProperty(codeField, out var codeElement) || !codeElement.TryGetInt64(out code))
            {
                throw new NotificationDeliveryException($"The reply has no numeric '{codeField}': {response.BodyExcerpt}", isPermanent: true);
            }

            message = document.RootElement.TryGetProperty(messageField, out var text) ? text.ToString() : string.Empty;
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
