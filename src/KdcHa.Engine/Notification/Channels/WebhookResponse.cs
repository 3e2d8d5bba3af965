namespace KdcHa.Notification.Channels;

public sealed class WebhookResponse
{
    public WebhookResponse(int statusCode, string body)
    {
        StatusCode = statusCode;
        Body = body;
    }

    public int StatusCode { get; }

    public string Body { get; }

    /// <summary>The start of the body, enough to explain a refusal in an error message.</summary>
    public string BodyExcerpt => Body.Length <= 200 ? Body : Body.Substring(0, 200) + "...";

    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
