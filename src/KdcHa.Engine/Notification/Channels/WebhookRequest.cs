using System.Collections.Generic;

namespace KdcHa.Notification.Channels;

/// <summary>An HTTP POST as a payload builder shapes it; the URL may be a secret reference when only previewed.</summary>
public sealed class WebhookRequest
{
    public WebhookRequest(string url, string body)
    {
        Url = url;
        Body = body;
    }

    public string Url { get; }

    public string Body { get; }

    public string ContentType { get; init; } = "application/json; charset=utf-8";

    public List<KeyValuePair<string, string>> Headers { get; } = new();
}
