namespace KdcHa.Notification.Channels;

/// <summary>Where and how to sign: resolved secrets at send time, the references themselves (no key) for a preview.</summary>
public sealed class WebhookTarget
{
    public WebhookTarget(string url, string? signingSecret)
    {
        Url = url;
        SigningSecret = signingSecret;
    }

    public string Url { get; }

    public string? SigningSecret { get; }
}
