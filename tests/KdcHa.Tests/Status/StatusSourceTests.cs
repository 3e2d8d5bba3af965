using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Status;
using static KdcHa.Tests.Status.StatusDocumentTests;

namespace KdcHa.Tests.Status;

public class StatusSourceTests
{
    // The machine may be loaded: only the tests of the deadline itself use a short one.
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task ReadsAStatusFileAndTheMaintenanceFlagsBesideIt()
    {
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File("status.json"), Serialize(Running("kdc1", Master("VI_1", 200))));
        File.WriteAllText(directory.File("maintenance-VI_1"), "1\n");
        File.WriteAllText(directory.File("maintenance-VI_2"), "0\n");

        var node = await new StatusFileSource(directory.File("status.json")).ReadAsync(Updated, CancellationToken.None);

        Assert.Equal(("Reachable", "kdc1", "Running"), (node.Reachability, node.Node, node.Monitor));
        Assert.Equal(new[] { "VI_1" }, node.Maintenance);
        Assert.Equal(directory.File("status.json"), node.Source);
    }

    [Fact]
    public async Task WorksOutStalenessOfAFileOnTheLocalClock()
    {
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File("status.json"), Serialize(Running("kdc1")));

        var node = await new StatusFileSource(directory.File("status.json")).ReadAsync(Updated.AddSeconds(5), CancellationToken.None);

        Assert.Equal("Stale", node.Monitor);
    }

    [Fact]
    public async Task AMissingOversizedOrForeignFileIsANodeThatSaysWhy()
    {
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File("huge.json"), new byte[StatusDocument.MaxBytes + 1]);
        File.WriteAllText(directory.File("foreign.json"), "{\"hello\": \"world\"}");

        var missing = await new StatusFileSource(directory.File("absent.json")).ReadAsync(Updated, CancellationToken.None);
        var huge = await new StatusFileSource(directory.File("huge.json")).ReadAsync(Updated, CancellationToken.None);
        var foreign = await new StatusFileSource(directory.File("foreign.json")).ReadAsync(Updated, CancellationToken.None);

        Assert.Equal(("Unreachable", "no status file: the monitor has not run with this state directory"), (missing.Reachability, missing.Error));
        Assert.Equal(("Invalid", "the status file is larger than 1024 KiB"), (huge.Reachability, huge.Error));
        Assert.Equal(("Invalid", "not a KdcHa monitor status: it names no node"), (foreign.Reachability, foreign.Error));
        Assert.Equal(directory.File("absent.json"), missing.Node);
    }

    [Fact]
    public async Task ReadsTheStatusEndpointAndTrustsItsStalenessNotTheLocalClock()
    {
        var document = Running("kdc1", Master("VI_1", 200));
        await using var server = CannedServer.Start(Ok(Serialize(document)));

        var node = await Source(server, "/").ReadAsync(Updated.AddHours(1), CancellationToken.None);

        Assert.Equal(("Reachable", "kdc1", "Running"), (node.Reachability, node.Node, node.Monitor));
        Assert.Equal($"http://127.0.0.1:{server.Port}/status", node.Source);
        Assert.StartsWith("GET /status HTTP/1.1", server.Requests.Take(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEndpointBeforeItsFirstRoundIsUnreachableWithItsAnswer()
    {
        await using var server = CannedServer.Start(Answer("503 Service Unavailable", "text/plain", "The monitor has not finished its first probe round yet.\n\u001b[2J"u8.ToArray()));

        var node = await Source(server).ReadAsync(Updated, CancellationToken.None);

        Assert.Equal(("Unreachable", "HTTP 503 Service Unavailable: The monitor has not finished its first probe round yet.  [2J"), (node.Reachability, node.Error));
    }

    [Fact]
    public async Task ARedirectIsNotFollowed()
    {
        await using var server = CannedServer.Start(Encoding.ASCII.GetBytes("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:1/status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));

        var node = await Source(server).ReadAsync(Updated, CancellationToken.None);

        Assert.Equal(("Unreachable", "HTTP 302 Found"), (node.Reachability, node.Error));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task AnEndpointThatNeverAnswersCostsOneTimeout()
    {
        await using var server = CannedServer.Start(answer: null);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var node = await Source(server, timeout: Short).ReadAsync(Updated, CancellationToken.None);

        Assert.Equal(("Unreachable", "no complete answer within 500 ms"), (node.Reachability, node.Error));
        Assert.InRange(started.ElapsedMilliseconds, 450, 3000);
    }

    [Fact]
    public async Task AnEndpointThatTricklesItsBodyIsCutOffAtTheTimeout()
    {
        await using var server = CannedServer.Start(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"Node\""), holdOpen: true);

        var node = await Source(server, timeout: Short).ReadAsync(Updated, CancellationToken.None);

        Assert.Equal(("Unreachable", "no complete answer within 500 ms"), (node.Reachability, node.Error));
    }

    [Fact]
    public async Task AHugeAnswerIsInvalidWhetherItSaysItsLengthOrNot()
    {
        var body = new byte[StatusDocument.MaxBytes + 10];
        await using var declared = CannedServer.Start(Ok(body));
        await using var undeclared = CannedServer.Start(Concat(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"), body));

        var first = await Source(declared).ReadAsync(Updated, CancellationToken.None);
        var second = await Source(undeclared).ReadAsync(Updated, CancellationToken.None);

        Assert.Equal(("Invalid", "the status document is larger than 1024 KiB"), (first.Reachability, first.Error));
        Assert.Equal(("Invalid", "the status document is larger than 1024 KiB"), (second.Reachability, second.Error));
    }

    [Fact]
    public async Task AMalformedAnswerIsInvalidAndNothingListeningIsUnreachable()
    {
        await using var server = CannedServer.Start(Ok("{\"Node\": [1, 2, 3]}"u8.ToArray()));
        // Bound but not listening: connecting is refused, and no other test can take the port meanwhile.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closedPort = ((IPEndPoint)closed.LocalEndPoint!).Port;
        using var client = StatusHttpSource.NewClient();

        var malformed = await Source(server).ReadAsync(Updated, CancellationToken.None);
        var refused = await new StatusHttpSource(new Uri($"http://127.0.0.1:{closedPort}/status"), client, Generous, "kdc9").ReadAsync(Updated, CancellationToken.None);

        Assert.True(malformed.Reachability == "Invalid", malformed.Error);
        Assert.StartsWith("not a KdcHa monitor status", malformed.Error, StringComparison.Ordinal);
        Assert.Equal(("Unreachable", "kdc9"), (refused.Reachability, refused.Node));
        Assert.Contains("refused", refused.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/status")]
    [InlineData("/status")]
    public void RefusesAUriThatIsNotHttp(string uri)
    {
        Assert.Throws<ArgumentException>(() => StatusHttpSource.StatusUri(new Uri(uri, UriKind.RelativeOrAbsolute)));
    }

    [Fact]
    public async Task ReadsEveryNodeAtOnceSoSilentNodesCostOneTimeoutTogether()
    {
        await using var silent1 = CannedServer.Start(answer: null);
        await using var silent2 = CannedServer.Start(answer: null);
        await using var live = CannedServer.Start(Ok(Serialize(Running("kdc3", Master("VI_1", 100)))));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var cluster = await ClusterStatusReader.ReadAsync(new IStatusSource[] { Source(silent1, timeout: Short), Source(silent2, timeout: Short), Source(live, timeout: Short) }, Updated, OperationOutput.None, CancellationToken.None);

        Assert.InRange(started.ElapsedMilliseconds, 450, 1400);
        Assert.Equal(new[] { "Unreachable", "Unreachable", "Reachable" }, cluster.Nodes.Select(node => node.Reachability));
        Assert.Equal("kdc3", cluster.Serving);
    }

    private static StatusHttpSource Source(CannedServer server, string path = "/status", TimeSpan? timeout = null) =>
        new(new Uri($"http://127.0.0.1:{server.Port}{path}"), server.Client, timeout ?? Generous);

    private static byte[] Ok(byte[] body) => Answer("200 OK", "application/json; charset=utf-8", body);

    private static byte[] Answer(string status, string contentType, byte[] body) =>
        Concat(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), body);

    private static byte[] Concat(byte[] head, byte[] body)
    {
        var all = new byte[head.Length + body.Length];
        head.CopyTo(all, 0);
        body.CopyTo(all, head.Length);
        return all;
    }

    /// <summary>A loopback listener that answers every connection with the same bytes (or never, with null), and records the request heads.</summary>
    private sealed class CannedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;

        private CannedServer(byte[]? answer, bool holdOpen)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _serving = Task.Run(() => ServeAsync(answer, holdOpen));
        }

        public int Port { get; }

        public System.Net.Http.HttpClient Client { get; } = StatusHttpSource.NewClient();

        public System.Collections.Concurrent.BlockingCollection<string> Requests { get; } = new();

        public static CannedServer Start(byte[]? answer, bool holdOpen = false) => new(answer, holdOpen);

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            try
            {
                await _serving;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            Client.Dispose();
        }

        private async Task ServeAsync(byte[]? answer, bool holdOpen)
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        var head = new StringBuilder();
                        var buffer = new byte[8192];
                        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            var read = await stream.ReadAsync(buffer, _stop.Token);
                            if (read == 0)
                            {
                                return;
                            }

                            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                        }

                        Requests.Add(head.ToString());
                        if (answer is not null)
                        {
                            await stream.WriteAsync(answer, _stop.Token);
                        }

                        if (answer is null || holdOpen)
                        {
                            await Task.Delay(System.Threading.Timeout.Infinite, _stop.Token);
                        }

                        // A close with the client's bytes unread would reset the connection before it read the answer.
                        client.Client.Shutdown(SocketShutdown.Send);
                        while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                        {
                        }
                    }
                });
            }
        }
    }
}
