using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
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
        var request = Prepare(notification, new WebhookTarget(Definition.Url!, SigningSecret: null), resolveHeader: header => header);
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

/// <summary>The one HTTP path every webhook vendor goes through.</summary>
public interface IHttpPoster
{
    /// <summary>Returns whatever status the server answered; throws only when no answer came.</summary>
    Task<WebhookResponse> PostAsync(WebhookRequest request, CancellationToken cancellationToken);
}

public sealed class HttpClientPoster : IHttpPoster, IDisposable
{
    // Enough for every vendor's error JSON; a hostile or broken endpoint cannot make us buffer more.
    private const int MaxResponseBytes = 64 * 1024;

    // The status line and headers together, in KiB (HttpClientHandler's unit); more is an HttpRequestException.
    private const int MaxResponseHeadersKiB = 64;

    private readonly HttpClient _client;

    public HttpClientPoster()
    {
        // The dispatcher bounds every attempt with the channel's own timeout; HttpClient's global one would fight it.
        _client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, MaxResponseHeadersLength = MaxResponseHeadersKiB }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public async Task<WebhookResponse> PostAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(request.Url, UriKind.Absolute))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body)),
        };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
        foreach (var header in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return new WebhookResponse((int)response.StatusCode, body);
    }

    public void Dispose() => _client.Dispose();

    private static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxResponseBytes];
        var total = 0;
        try
        {
            using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }
        }
        catch (IOException)
        {
            // The status line is the answer; a body that breaks off (a reset, a bad chunk, a short Content-Length)
            // is read as far as it came, and the vendor's check decides what that means.
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}

/// <summary>An HTTP POST as a payload builder shapes it; the URL may be a secret reference when only previewed.</summary>
public sealed record WebhookRequest(string Url, string Body)
{
    public string ContentType { get; init; } = "application/json; charset=utf-8";

    public List<KeyValuePair<string, string>> Headers { get; } = new();
}

public sealed record WebhookResponse(int StatusCode, string Body)
{
    /// <summary>The start of the body, enough to explain a refusal in an error message.</summary>
    public string BodyExcerpt => NotificationDeliveryException.Quote(Body);

    public bool IsSuccess => StatusCode is >= 200 and < 300;
}

/// <summary>Where and how to sign: resolved secrets at send time, the references themselves (no key) for a preview.</summary>
public sealed record WebhookTarget(string Url, string? SigningSecret);
