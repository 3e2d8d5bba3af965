using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Keepalived;
using KdcHa.Monitor;

namespace KdcHa.Status;

/// <summary>Where one node's monitor status comes from. A source never throws for what the node does: an absent, silent or hostile node is a <see cref="NodeStatus"/>.</summary>
public interface IStatusSource
{
    /// <summary>What to call the node until its document names it: a computer name, a URI's host, a path.</summary>
    string Name { get; }

    Task<NodeStatus> ReadAsync(DateTime utcNow, CancellationToken cancellationToken);
}

/// <summary>A local monitor's status.json, and the maintenance flags New-KdcHaKeepalivedConfig puts beside it.</summary>
public sealed class StatusFileSource : IStatusSource
{
    // New-KdcHaKeepalivedConfig names the maintenance track file of instance X "maintenance-X" in the state directory.
    private const string MaintenancePrefix = "maintenance-";

    public StatusFileSource(string path)
    {
        Path = string.IsNullOrEmpty(path) ? throw new ArgumentException("A path is required.", nameof(path)) : path;
    }

    public string Path { get; }

    public string Name => Path;

    public async Task<NodeStatus> ReadAsync(DateTime utcNow, CancellationToken cancellationToken)
    {
        byte[] document;
        try
        {
            document = await ReadCappedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return NodeStatus.Unreachable(Name, Path, "no status file: the monitor has not run with this state directory");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return NodeStatus.Unreachable(Name, Path, $"the status file cannot be read: {StatusDocument.Safe(e.Message)}");
        }
        catch (StatusDocumentException e)
        {
            return NodeStatus.Invalid(Name, Path, e.Message);
        }

        try
        {
            var status = StatusDocument.Parse(document);
            return NodeStatus.Read(status, Path, MonitorStatusFile.IsStaleAt(status, utcNow), Maintenance());
        }
        catch (StatusDocumentException e)
        {
            return NodeStatus.Invalid(Name, Path, e.Message);
        }
    }

    private async Task<byte[]> ReadCappedAsync(CancellationToken cancellationToken)
    {
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (file.Length > StatusDocument.MaxBytes)
        {
            throw new StatusDocumentException($"the status file is larger than {StatusDocument.MaxBytes / 1024} KiB");
        }

        // The monitor replaces the file by a rename, so the length of the one opened holds; a special file has none.
        return await StatusSourceLimits.ReadAtMostAsync(file, StatusDocument.MaxBytes, cancellationToken).ConfigureAwait(false);
    }

    private IReadOnlyList<string> Maintenance()
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        try
        {
            return directory is null
                ? Array.Empty<string>()
                : Directory.EnumerateFiles(directory, MaintenancePrefix + "*")
                    .Where(file => new MaintenanceFlagFile(file).IsSet)
                    .Select(file => StatusDocument.Safe(System.IO.Path.GetFileName(file)[MaintenancePrefix.Length..]))
                    .Order(StringComparer.Ordinal)
                    .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }
}

/// <summary>
/// A monitor's /status over HTTP. The request is bounded (one deadline for connecting, the headers and the body; a
/// byte cap on the body), follows no redirect and uses no proxy: the status endpoints are on the cluster's own
/// network, and a proxy or a redirect would send the request somewhere the operator did not name.
/// </summary>
public sealed class StatusHttpSource : IStatusSource
{
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;

    /// <param name="uri">The endpoint: http://node:9464/status (a bare http://node:9464 or .../ means /status).</param>
    /// <param name="client">Shared by the sources of one view; see <see cref="NewClient"/>.</param>
    /// <param name="timeout">For the whole exchange: connecting, the headers and the body.</param>
    /// <param name="name">What to call the node until it answers; the URI's host by default.</param>
    public StatusHttpSource(Uri uri, HttpClient client, TimeSpan timeout, string? name = null)
    {
        Uri = StatusUri(uri ?? throw new ArgumentNullException(nameof(uri)));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _timeout = timeout;
        Name = string.IsNullOrEmpty(name) ? Uri.Host : name;
    }

    public Uri Uri { get; }

    public string Name { get; }

    /// <summary>An HTTP client for these sources: no redirect, no proxy, no cookies, no pooled connection kept idle.</summary>
    public static HttpClient NewClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxResponseHeadersLength = 16,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(1),
    })
    {
        // Each request has its own deadline (a cancellation token), which also covers reading the body.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>A URI naming only the endpoint (no path, or "/") means its /status.</summary>
    public static Uri StatusUri(Uri uri)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{uri}' is not an http:// or https:// URI.", nameof(uri));
        }

        return uri.AbsolutePath == "/" ? new Uri(uri, "/status") : uri;
    }

    public async Task<NodeStatus> ReadAsync(DateTime utcNow, CancellationToken cancellationToken)
    {
        var source = Uri.ToString();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        byte[] document;
        try
        {
            using var response = await _client.GetAsync(Uri, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var text = await StatusSourceLimits.ReadTextAtMostAsync(response.Content, 200, deadline.Token).ConfigureAwait(false);
                return NodeStatus.Unreachable(Name, source, $"HTTP {(int)response.StatusCode} {StatusDocument.Safe(response.ReasonPhrase, 100)}{(text.Length > 0 ? ": " + text : string.Empty)}");
            }

            if (response.Content.Headers.ContentLength > StatusDocument.MaxBytes)
            {
                return NodeStatus.Invalid(Name, source, $"the status document is larger than {StatusDocument.MaxBytes / 1024} KiB");
            }

            using var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            document = await StatusSourceLimits.ReadAtMostAsync(body, StatusDocument.MaxBytes, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return NodeStatus.Unreachable(Name, source, $"no complete answer within {_timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException e)
        {
            return NodeStatus.Unreachable(Name, source, StatusDocument.Safe(e.InnerException?.Message ?? e.Message));
        }
        catch (StatusDocumentException e)
        {
            return NodeStatus.Invalid(Name, source, e.Message);
        }

        try
        {
            // The endpoint works IsStale out on the node's own clock when it serves, which is the clock its Updated is on.
            var status = StatusDocument.Parse(document);
            return NodeStatus.Read(status, source, status.IsStale);
        }
        catch (StatusDocumentException e)
        {
            return NodeStatus.Invalid(Name, source, e.Message);
        }
    }
}

/// <summary>Reads every source at once, so one silent node costs the view its timeout, not one timeout per node.</summary>
public static class ClusterStatusReader
{
    public static async Task<ClusterStatus> ReadAsync(IReadOnlyList<IStatusSource> sources, DateTime utcNow, IOperationOutput output, CancellationToken cancellationToken)
    {
        var nodes = await Task.WhenAll(sources.Select(async source =>
        {
            var node = await source.ReadAsync(utcNow, cancellationToken).ConfigureAwait(false);
            output.WriteVerbose(node.Reach == NodeReachability.Reachable
                ? $"{source.Name}: {node.Node}'s monitor is {node.Monitor}, updated {node.Updated:O}."
                : $"{source.Name}: {node.Reachability}: {node.Error}");
            return node;
        })).ConfigureAwait(false);
        return new ClusterStatus(nodes, utcNow);
    }
}

/// <summary>Byte caps on what a source reads, so a huge or endless answer costs at most the cap.</summary>
internal static class StatusSourceLimits
{
    /// <exception cref="StatusDocumentException">The stream holds more than <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]> ReadAtMostAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new StatusDocumentException($"the status document is larger than {maxBytes / 1024} KiB");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The start of an error answer, to say why; whatever follows is not read.</summary>
    public static async Task<string> ReadTextAtMostAsync(HttpContent content, int maxCharacters, CancellationToken cancellationToken)
    {
        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var chunk = new byte[maxCharacters];
        var length = await stream.ReadAtLeastAsync(chunk, maxCharacters, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return StatusDocument.Safe(System.Text.Encoding.UTF8.GetString(chunk, 0, length).Trim(), maxCharacters);
    }
}
