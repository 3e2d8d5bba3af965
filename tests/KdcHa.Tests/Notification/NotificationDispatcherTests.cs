using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification;
using KdcHa.Notification.Channels;

namespace KdcHa.Tests.Notification;

/// <summary>Delivery semantics end to end: a real spool directory, a real HTTP listener, real outages.</summary>
public sealed class NotificationDispatcherTests : IDisposable
{
    private const string Token = "T0KEN-in-the-webhook-url";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new();
    private readonly LoopbackHttpReceiver _receiver = new();
    private readonly HttpClientPoster _poster = new();
    private readonly SecretRedactor _redactor = new();
    private readonly RecordingOutput _output = new();

    public void Dispose()
    {
        _receiver.Dispose();
        _poster.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task AfterARealOutageEveryAlertArrivesExactlyOnceInOrder()
    {
        _receiver.Stop();
        var clock = new ManualClock();
        using var dispatcher = Dispatcher(clock: clock);
        var sent = Enumerable.Range(0, 25).Select(i => Events.Custom($"alert {i}")).ToList();
        sent.ForEach(notification => dispatcher.Enqueue(notification, _output));

        // Three seconds of outage on the dispatcher's clock: several backoff rounds, none of them waited for.
        await WaitUntil(() => _output.Lines.Any(line => line.Contains("attempt 1 for event", StringComparison.Ordinal)));
        await Advancing(clock, Task.Delay(TimeSpan.FromSeconds(3), clock));
        Assert.Empty(_receiver.Requests);
        Assert.Contains(_output.Lines, line => line.Contains("attempt 1 for event", StringComparison.Ordinal));
        _receiver.Start();

        Assert.True(await Advancing(clock, dispatcher.FlushAsync(Generous, CancellationToken.None)));
        var keys = _receiver.Requests.Select(request => request.Headers["Idempotency-Key"]).ToList();
        Assert.Equal(sent.Select(notification => notification.Id), keys);
        Assert.All(_output.Results, result => Assert.Equal("Delivered", result.Status));
    }

    [Fact]
    public async Task ALaneWaitEndsOnlyOnceItsWholeTimeoutHasPassed()
    {
        // A 50.3 ms backoff on a clock moving in 50 ms steps: the wait that ended at 50 ms left the lane spinning
        // inside the clock's own Advance, and the whole run hung.
        var clock = new ManualClock();
        var lane = new NotificationLane(Channel(TimeProvider.System));
        foreach (var timeout in new[] { TimeSpan.FromMilliseconds(50.3), TimeSpan.FromMilliseconds(0.3) })
        {
            var wait = lane.WaitAsync(timeout, clock, CancellationToken.None);
            clock.Advance(timeout - TimeSpan.FromTicks(timeout.Ticks % TimeSpan.TicksPerMillisecond));
            Assert.False(wait.IsCompleted, $"a {timeout.TotalMilliseconds} ms wait ended early");

            clock.Advance(TimeSpan.FromMilliseconds(1));
            await wait.WaitAsync(Generous);
        }
    }

    [Fact]
    public async Task ANewDispatcherOnTheSameSpoolSendsWhatTheOldOneLeft()
    {
        _receiver.Stop();
        var sent = Enumerable.Range(0, 10).Select(i => Events.Custom($"alert {i}")).ToList();
        using (var first = Dispatcher())
        {
            sent.ForEach(notification => first.Enqueue(notification, _output));
            Assert.False(await first.FlushAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None));
            Assert.Equal(10, first.PendingResults().Count);
        }

        _receiver.Start();
        using var second = Dispatcher();
        Assert.True(await second.FlushAsync(Generous, CancellationToken.None));

        Assert.Equal(sent.Select(notification => notification.Id), _receiver.Requests.Select(request => request.Headers["Idempotency-Key"]));
    }

    [Fact]
    public async Task APermanentRefusalIsSetAsideAndTheChannelMovesOn()
    {
        using var dispatcher = Dispatcher(type: "DingTalk");
        _receiver.ResponseBody = """{"errcode":310000,"errmsg":"keywords not in content"}""";
        dispatcher.Enqueue(Events.Custom("refused"), _output);
        await WaitUntil(() => _output.Results is { Length: > 0 } results && results[0].Status == "Rejected");

        _receiver.ResponseBody = """{"errcode":0,"errmsg":"ok"}""";
        dispatcher.Enqueue(Events.Custom("accepted"), _output);

        Assert.True(await dispatcher.FlushAsync(Generous, CancellationToken.None));
        var rejected = Path.Combine(_directory.Path, "spool", "ops", NotificationSpool.RejectedFolder);
        Assert.Single(Directory.GetFiles(rejected, "*.json"));
        Assert.Contains("310000", File.ReadAllText(Directory.GetFiles(rejected, "*.reason").Single()));
    }

    [Fact]
    public async Task AFullSpoolDropsTheOldestAndSaysSoInItsOwnAlert()
    {
        _receiver.Stop();
        using var dispatcher = Dispatcher(maxPending: 4);
        var sent = Enumerable.Range(0, 10).Select(i => Events.Custom($"alert {i}")).ToList();
        sent.ForEach(notification => dispatcher.Enqueue(notification, _output));
        Assert.Equal(6, _output.Results.Count(result => result.Status == "Evicted"));

        _receiver.Start();
        Assert.True(await dispatcher.FlushAsync(Generous, CancellationToken.None));

        var bodies = _receiver.Requests.Select(request => request.Json).ToList();
        var overflow = Assert.Single(bodies, body => body.GetProperty("kind").GetString() == "SpoolOverflow");
        Assert.Contains("dropped", overflow.GetProperty("message").GetString());
        var delivered = bodies.Where(body => body.GetProperty("kind").GetString() == "Custom").Select(body => body.GetProperty("message").GetString()).ToList();
        Assert.Equal(delivered.OrderBy(message => int.Parse(message!.Split(' ')[1])), delivered);
        Assert.Contains("alert 9", delivered);
        Assert.DoesNotContain("alert 0", delivered);
    }

    [Fact]
    public async Task FlappingIsSummarisedAndDuplicatesAreReportedAsSuppressed()
    {
        using var dispatcher = Dispatcher();
        for (var i = 0; i < 6; i++)
        {
            dispatcher.Enqueue(Events.StateChange(i % 2 == 0 ? "BACKUP" : "MASTER", i % 2 == 0 ? "MASTER" : "BACKUP") with { Time = DateTime.UtcNow }, _output);
        }

        dispatcher.Enqueue(Events.Custom("KDC down"), _output);
        dispatcher.Enqueue(Events.Custom("KDC down"), _output);

        Assert.True(await dispatcher.FlushAsync(Generous, CancellationToken.None));
        var kinds = _receiver.Requests.Select(request => request.Json.GetProperty("kind").GetString()).ToList();
        Assert.Equal(3, kinds.Count(kind => kind == "VrrpStateChanged"));
        Assert.Equal(1, kinds.Count(kind => kind == "Custom"));
        var summary = _receiver.Requests.Select(request => request.Json).Single(body => body.GetProperty("kind").GetString() == "FlapSummary");
        Assert.StartsWith("VI_1 changed state 6 times", summary.GetProperty("message").GetString());
        Assert.Equal(4, _output.Results.Count(result => result.Status == "Suppressed"));
    }

    [Fact]
    public async Task EnqueueReturnsAtOnceWhileTheEndpointHangsAndTheTimeoutBoundsTheAttempt()
    {
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var url = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/hook/{Token}";
            using var dispatcher = Dispatcher(url: url, timeoutSeconds: 1);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 20; i++)
            {
                dispatcher.Enqueue(Events.Custom($"alert {i}"), _output);
            }

            // A correctness bound with slack, not a speed target: 20 HTTP timeouts would take 20 s.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Enqueue blocked for {clock.Elapsed}");
            await WaitUntil(() => _output.Lines.Any(line => line.Contains("timeout", StringComparison.Ordinal)));
            Assert.Equal(20, dispatcher.PendingResults().Count);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task NoSecretReachesTheSpoolTheLogOrTheResults()
    {
        _receiver.Stop();
        using (var dispatcher = Dispatcher())
        {
            dispatcher.Enqueue(Events.Custom("secret check"), _output);
            await WaitUntil(() => _output.Lines.Any(line => line.Contains("failed", StringComparison.Ordinal)));
            var pending = dispatcher.PendingResults();
            Assert.All(pending, result => Assert.DoesNotContain(Token, result.Message));
        }

        var spooled = Directory.GetFiles(Path.Combine(_directory.Path, "spool"), "*", SearchOption.AllDirectories);
        Assert.NotEmpty(spooled);
        Assert.All(spooled, file =>
        {
            Assert.DoesNotContain(Token, file);
            Assert.DoesNotContain(Token, File.ReadAllText(file));
        });
        Assert.All(_output.Lines, line => Assert.DoesNotContain(Token, line));
        Assert.Contains(Token, _redactor.Secrets.First());
    }

    private NotificationDispatcher Dispatcher(string type = "Webhook", int maxPending = 1000, string? url = null, int timeoutSeconds = 5, TimeProvider? clock = null)
    {
        var time = clock ?? TimeProvider.System;
        var channel = Channel(time, type, url, timeoutSeconds);
        var options = new NotificationDispatcherOptions
        {
            RetryInitialDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromMilliseconds(400),
            PollInterval = TimeSpan.FromMilliseconds(200),
        };
        var dispatcher = new NotificationDispatcher(
            new[] { channel }, new NotificationSpool(Path.Combine(_directory.Path, "spool"), maxPending, time), options, time, _redactor);
        dispatcher.Start(_output);
        return dispatcher;
    }

    private INotificationChannel Channel(TimeProvider time, string type = "Webhook", string? url = null, int timeoutSeconds = 5)
    {
        var variables = new Dictionary<string, string> { ["HOOK_URL"] = url ?? _receiver.Url($"/hook/{Token}") };
        var secrets = new SecretReferenceResolver(_redactor, environment: name => variables.GetValueOrDefault(name));
        return new NotificationChannelFactory(_poster, secrets, time)
            .Create(new NotificationChannelDefinition { Name = "ops", Type = type, Url = "env:HOOK_URL", TimeoutSeconds = timeoutSeconds });
    }

    /// <summary>
    /// Moves the clock on in steps shorter than any backoff, giving the lanes a real moment between steps to
    /// react, until <paramref name="task"/> ends; bounded in real time so a hang fails instead of spinning.
    /// </summary>
    private static async Task<T> Advancing<T>(ManualClock clock, Task<T> task)
    {
        await Advancing(clock, (Task)task);
        return await task;
    }

    private static async Task Advancing(ManualClock clock, Task task)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!task.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the task did not end in time");

            // Due timer callbacks, and the lane loops they resume, run inside Advance: on a thread of its own, a
            // callback that never returns fails the test at the deadline instead of hanging the whole run.
            await Task.Run(() => clock.Advance(TimeSpan.FromMilliseconds(50))).WaitAsync(deadline - DateTime.UtcNow);
            await Task.Delay(1);
        }

        await task;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(20);
        }
    }
}
