using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification.Channels;

public sealed class HttpClientPoster : IHttpPoster, IDisposable
{
    // Enough for every vendor's error JSON; a hostile or broken endpoint cannot make us buffer more.
    private const int MaxResponseBytes = 64 * 1024;

    private readonly HttpClient _client;

    public HttpClientPoster()
    {
        // The dispatcher bounds every attempt with the channel's own timeout; HttpClient's global one would fight it.
        _client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
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
        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxResponseBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}
