using System;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;

namespace KdcHa.Monitor.Metrics;

/// <summary>The endpoint's bounds; the defaults suit a Prometheus scraping every few seconds and a Get-KdcHaStatus.</summary>
public sealed class MetricsEndpointLimits
{
    /// <summary>Request line and headers together; a request that does not end its headers within this many bytes gets 431.</summary>
    public int MaxHeaderBytes { get; init; } = 8 * 1024;

    /// <summary>How long a client has to send its whole request (a slowloris client is closed after it), and then to take the answer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Connections served at once; one beyond is closed at once, so a flood costs no memory and no thread.</summary>
    public int MaxConnections { get; init; } = 16;

    /// <summary>Connections the kernel queues before it refuses more.</summary>
    public int PendingConnections { get; init; } = 16;
}

/// <summary>
/// The monitor's HTTP endpoint: GET /metrics (Prometheus text format 0.0.4) and GET /status (the status document, the
/// same JSON as status.json). A small HTTP/1.1 server on a socket rather than HttpListener, whose managed Linux
/// implementation has no per-connection deadline or header cap to set (and is legacy in .NET), or Kestrel, which a
/// module loaded into pwsh would have to bring the ASP.NET Core framework for. Each exchange is one request and one
/// answer with Connection: close, read into one pooled buffer of <see cref="MetricsEndpointLimits.MaxHeaderBytes"/>
/// under one deadline, all asynchronous: a slow or hostile client holds a buffer and a socket, never a thread, and
/// at most <see cref="MetricsEndpointLimits.MaxConnections"/> of them at once. Answers are rendered from the state of
/// the monitor's last round; nothing here waits on the probe loop, and the loop never waits on a client.
/// </summary>
public sealed class MetricsEndpoint : IAsyncDisposable
{
    public const string MetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1);
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private readonly MonitorMetrics _metrics;
    private readonly MetricsEndpointLimits _limits;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TcpListening _listening;
    private int _open;

    private MetricsEndpoint(Socket listener, MonitorMetrics metrics, MetricsEndpointLimits limits)
    {
        _metrics = metrics;
        _limits = limits;
        _listening = new TcpListening(listener, Admit);
    }

    /// <summary>Where the endpoint listens (the bound port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => _listening.LocalEndPoint;

    /// <exception cref="MetricsListenException">The address cannot be bound (in use, not on this host, no permission).</exception>
    public static MetricsEndpoint Listen(IPEndPoint endPoint, MonitorMetrics metrics, MetricsEndpointLimits? limits = null)
    {
        if (endPoint is null)
        {
            throw new ArgumentNullException(nameof(endPoint));
        }

        if (metrics is null)
        {
            throw new ArgumentNullException(nameof(metrics));
        }

        limits ??= new MetricsEndpointLimits();
        try
        {
            return new MetricsEndpoint(TcpListening.Bind(endPoint, limits.PendingConnections), metrics, limits);
        }
        catch (SocketException e)
        {
            throw new MetricsListenException($"Cannot serve metrics on {endPoint}: {e.Message}", endPoint.ToString(), e);
        }
    }

    /// <summary>Closes the listener, ends every exchange in progress and waits (up to a second) for them to go.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!await _listening.StopAsync().ConfigureAwait(false))
        {
            return;
        }

        if (Interlocked.Decrement(ref _open) < 0)
        {
            _drained.TrySetResult();
        }

        await Task.WhenAny(_drained.Task, Task.Delay(StopGrace)).ConfigureAwait(false);
    }

    private void Admit(Socket connection)
    {
        if (Interlocked.Increment(ref _open) > _limits.MaxConnections)
        {
            Leave();
            _metrics.Endpoint.Dropped(MetricsEndpointCounters.DropReason.ConnectionLimit);
            connection.Dispose();
            return;
        }

        _ = ServeAsync(connection);
    }

    private void Leave()
    {
        // After a dispose the count starts one below, so the last exchange to leave tells the dispose it may go on.
        if (Interlocked.Decrement(ref _open) < 0 && _listening.Stopping.IsCancellationRequested)
        {
            _drained.TrySetResult();
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_limits.MaxHeaderBytes);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_listening.Stopping);
            deadline.CancelAfter(_limits.RequestTimeout);
            var (status, length) = await ReadRequestAsync(connection, buffer, deadline.Token).ConfigureAwait(false);
            if (status == 0)
            {
                return;
            }

            deadline.CancelAfter(_limits.RequestTimeout);
            var answer = status == 200 ? Answer(buffer.AsSpan(0, length)) : Error(status);
            await connection.SendAsync(answer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            _metrics.Endpoint.Answered(StatusOf(answer));
            connection.Shutdown(SocketShutdown.Send);
        }
        catch (OperationCanceledException)
        {
            // The deadline (a client too slow to send its request or take the answer) or the endpoint's stop.
            if (!_listening.Stopping.IsCancellationRequested)
            {
                _metrics.Endpoint.Dropped(MetricsEndpointCounters.DropReason.Timeout);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The client left; nothing to answer.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            connection.Dispose();
            Leave();
        }
    }

    /// <summary>Reads up to the end of the headers: (200, header length) for a request to route, an error status, or 0 for a client that left.</summary>
    private async Task<(int Status, int Length)> ReadRequestAsync(Socket connection, byte[] buffer, CancellationToken token)
    {
        var limit = _limits.MaxHeaderBytes;
        var filled = 0;
        while (true)
        {
            if (filled == limit)
            {
                return (431, 0);
            }

            var read = await connection.ReceiveAsync(buffer.AsMemory(filled, limit - filled), SocketFlags.None, token).ConfigureAwait(false);
            if (read == 0)
            {
                return (0, 0);
            }

            var from = Math.Max(0, filled - (HeaderEnd.Length - 1));
            filled += read;
            var end = buffer.AsSpan(from, filled - from).IndexOf(HeaderEnd);
            if (end >= 0)
            {
                return (200, from + end);
            }
        }
    }

    private byte[] Answer(ReadOnlySpan<byte> head)
    {
        // Request line: METHOD SP request-target SP HTTP-version (RFC 9112 section 3); the headers are not needed.
        var lineEnd = head.IndexOf("\r\n"u8);
        var line = Encoding.ASCII.GetString(lineEnd >= 0 ? head[..lineEnd] : head);
        var parts = line.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || !parts[1].StartsWith('/'))
        {
            return Error(400);
        }

        var headOnly = parts[0] == "HEAD";
        if (parts[0] != "GET" && !headOnly)
        {
            return Error(405);
        }

        var query = parts[1].IndexOf('?');
        var path = query >= 0 ? parts[1][..query] : parts[1];
        return path switch
        {
            "/metrics" => Response(200, "OK", MetricsContentType, _metrics.Render(), headOnly),
            "/status" when _metrics.Status is { } status => Response(200, "OK", "application/json; charset=utf-8", MonitorStatusFile.Serialize(status), headOnly),
            "/status" => Error(503),
            _ => Error(404),
        };
    }

    private static byte[] Error(int status)
    {
        var (reason, body) = status switch
        {
            400 => ("Bad Request", "The request line is not HTTP/1.x.\n"),
            404 => ("Not Found", "Only /metrics and /status are served.\n"),
            405 => ("Method Not Allowed", "Only GET and HEAD are served.\n"),
            431 => ("Request Header Fields Too Large", "The request's headers are too large.\n"),
            _ => ("Service Unavailable", "The monitor has not finished its first round yet.\n"),
        };
        return Response(status, reason, "text/plain; charset=utf-8", Encoding.ASCII.GetBytes(body), headOnly: false);
    }

    private static byte[] Response(int status, string reason, string contentType, byte[] body, bool headOnly)
    {
        var allow = status == 405 ? "Allow: GET, HEAD\r\n" : string.Empty;
        var header = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n{allow}Cache-Control: no-store\r\nConnection: close\r\n\r\n");
        if (headOnly)
        {
            return header;
        }

        var answer = new byte[header.Length + body.Length];
        header.CopyTo(answer, 0);
        body.CopyTo(answer, header.Length);
        return answer;
    }

    // "HTTP/1.1 NNN": the status code is bytes 9 to 11 of every answer this endpoint sends.
    private static int StatusOf(byte[] answer) => ((answer[9] - '0') * 100) + ((answer[10] - '0') * 10) + (answer[11] - '0');
}

/// <summary>What the endpoint counts about itself: answers by status code, and connections it closed without one.</summary>
public sealed class MetricsEndpointCounters
{
    private static readonly int[] Codes = { 200, 400, 404, 405, 431, 503 };

    private readonly long[] _answered = new long[Codes.Length];
    private readonly long[] _dropped = new long[2];

    public enum DropReason
    {
        /// <summary>The request (or the taking of the answer) outlasted the deadline.</summary>
        Timeout,

        /// <summary>More connections than the endpoint serves at once.</summary>
        ConnectionLimit,
    }

    public long AnsweredWith(int code) => Interlocked.Read(ref _answered[Array.IndexOf(Codes, code)]);

    public long DroppedFor(DropReason reason) => Interlocked.Read(ref _dropped[(int)reason]);

    internal void Answered(int code)
    {
        var index = Array.IndexOf(Codes, code);
        if (index >= 0)
        {
            Interlocked.Increment(ref _answered[index]);
        }
    }

    internal void Dropped(DropReason reason) => Interlocked.Increment(ref _dropped[(int)reason]);

    internal void Write(PrometheusTextWriter text)
    {
        text.Family("kdcha_metrics_http_responses_total", "counter", "Answers of the monitor's metrics endpoint, by HTTP status code.");
        for (var i = 0; i < Codes.Length; i++)
        {
            // The answer this very scrape gets is counted once it is sent, so in the next scrape.
            text.Sample("kdcha_metrics_http_responses_total", Interlocked.Read(ref _answered[i]), ("code", Codes[i].ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        text.Family("kdcha_metrics_connections_dropped_total", "counter", "Connections the endpoint closed without an answer: timeout (too slow to send the request), limit (too many at once).");
        text.Sample("kdcha_metrics_connections_dropped_total", DroppedFor(DropReason.Timeout), ("reason", "timeout"));
        text.Sample("kdcha_metrics_connections_dropped_total", DroppedFor(DropReason.ConnectionLimit), ("reason", "limit"));
    }
}

/// <summary>The metrics address could not be listened on.</summary>
public sealed class MetricsListenException : KdcHaException
{
    public MetricsListenException(string message, string address, Exception innerException)
        : base(message, innerException)
    {
        Address = address;
    }

    public string Address { get; }
}
