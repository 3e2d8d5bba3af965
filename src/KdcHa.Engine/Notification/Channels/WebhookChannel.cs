using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification.Channels;

/// <summary>
/// Every HTTP vendor's delivery: resolve the URL and signing key, let the vendor shape the request, add custom
/// headers and the event id, post, and classify the answer. 408, 429 and 5xx are worth retrying; other 4xx are not.
/// </summary>
public sealed class WebhookChannel : INotificationChannel
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string EventIdHeader = "X-KdcHa-Event-Id";

    private readonly WebhookPayloadBuilder _builder;
    private readonly IHttpPoster _poster;
    private readonly ISecretResolver _secrets;
    private readonly TimeProvider _time;

    public WebhookChannel(
        NotificationChannelDefinition definition, WebhookPayloadBuilder builder, IHttpPoster poster, ISecretResolver secrets, TimeProvider time)
    {
        Definition = definition;
        _builder = builder;
        _poster = poster;
        _secrets = secrets;
        _time = time;
    }

    public NotificationChannelDefinition Definition { get; }

    public async Task<string> SendAsync(NotificationEvent notification, CancellationToken cancellationToken)
    {
        var target = new WebhookTarget(
            _secrets.Resolve(Definition.Url!),
            Definition.SigningSecret is null ? null : _secrets.Resolve(Definition.SigningSecret));
        var request = Prepare(notification, target, resolveHeader: _secrets.Resolve);

        WebhookResponse response;
        try
        {
            response = await _poster.PostAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new NotificationDeliveryException($"No answer from the {Definition.Type} endpoint: {Innermost(e)}", isPermanent: false, e);
        }

        if (!response.IsSuccess)
        {
            var transient = response.StatusCode is 408 or 429 or >= 500;
            throw new NotificationDeliveryException(
                $"The {Definition.Type} endpoint answered HTTP {response.StatusCode}: {response.BodyExcerpt}", isPermanent: !transient) { Reply = $"HTTP {response.StatusCode}" };
        }

        _builder.CheckAccepted(response);
        return $"HTTP {response.StatusCode}";
    }

    public string Preview(NotificationEvent notification)
    {
        var request = Prepare(notification, new WebhookTarget(Definition.Url!, signingSecret: null), resolveHeader: header => header);
        var preview = new StringBuilder();
        preview.Append("POST ").Append(request.Url).Append('\n');
        preview.Append("Content-Type: ").Append(request.ContentType).Append('\n');
        foreach (var header in request.Headers)
        {
            preview.Append(header.Key).Append(": ").Append(header.Value).Append('\n');
        }

        if (Definition.SigningSecret is not null)
        {
            preview.Append("(signed at send time with ").Append(Definition.SigningSecret).Append(")\n");
        }

        return preview.Append('\n').Append(request.Body).ToString();
    }

    private WebhookRequest Prepare(NotificationEvent notification, WebhookTarget target, Func<string, string> resolveHeader)
    {
        var request = _builder.Build(notification, target, _time.GetUtcNow());
        foreach (var header in Definition.Headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(new(header.Key, resolveHeader(header.Value)));
        }

        request.Headers.Add(new(IdempotencyKeyHeader, notification.Id));
        request.Headers.Add(new(EventIdHeader, notification.Id));
        return request;
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }
}
