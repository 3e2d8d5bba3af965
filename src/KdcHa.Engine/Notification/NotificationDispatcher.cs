using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;

namespace KdcHa.Notification;

/// <summary>
/// The alerting engine. <see cref="Enqueue(NotificationEvent, IOperationOutput)"/> writes the notification durably to
/// the spool, once per channel, and returns without touching the network, so a monitor loop never waits on a slow
/// webhook. Once <see cref="Start"/>ed, one background loop per channel delivers that channel's spool in order, one
/// notification at a time, retrying the head with exponential backoff and jitter; a notification leaves the spool
/// only once its channel accepted it. What the dispatcher does reaches its caller through an
/// <see cref="IOperationOutput"/>: progress as verbose lines (redacted), each final outcome as a
/// <see cref="NotificationDeliveryResult"/> object.
/// Delivery is at least once: a crash after the channel accepted a notification but before its file is removed
/// sends it again on restart, with the same event id for the receiver to drop the repeat.
/// </summary>
public sealed class NotificationDispatcher : IDisposable
{
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan FlushPollInterval = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, NotificationLane> _lanes;
    private readonly INotificationSpool _spool;
    private readonly NotificationDispatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly SecretRedactor _redactor;
    private readonly NotificationThrottle _throttle;
    private readonly RetryBackoff _backoff;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private IOperationOutput _output = OperationOutput.None;
    private Task? _housekeeping;
    private bool _disposed;

    public NotificationDispatcher(
        IEnumerable<INotificationChannel> channels,
        INotificationSpool spool,
        NotificationDispatcherOptions? options = null,
        TimeProvider? time = null,
        SecretRedactor? redactor = null)
    {
        _spool = spool;
        _options = options ?? new NotificationDispatcherOptions();
        _time = time ?? TimeProvider.System;
        _redactor = redactor ?? new SecretRedactor();
        _throttle = new NotificationThrottle(_options.DuplicateWindow, _options.FlapWindow, _options.FlapThreshold);
        _backoff = new RetryBackoff(_options.RetryInitialDelay, _options.RetryMaxDelay);
        _lanes = new Dictionary<string, NotificationLane>(StringComparer.Ordinal);
        foreach (var channel in channels)
        {
            if (_lanes.ContainsKey(channel.Definition.Name))
            {
                throw new NotificationConfigurationException($"Two channels are named '{channel.Definition.Name}'; names identify spool folders and must be unique.");
            }

            _lanes.Add(channel.Definition.Name, new NotificationLane(channel));
        }
    }

    /// <summary>
    /// Starts delivering every channel's spool, and the housekeeping that closes flap windows and reports overflows.
    /// From here on the dispatcher writes to <paramref name="output"/> from its own threads, until disposed.
    /// </summary>
    public void Start(IOperationOutput output)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_housekeeping is not null)
            {
                throw new InvalidOperationException("The dispatcher has already started.");
            }

            _output = output;
            foreach (var lane in _lanes.Values)
            {
                lane.Loop = Task.Run(() => RunLaneAsync(lane));
            }

            _housekeeping = Task.Run(RunHousekeepingAsync);
        }
    }

    /// <summary>
    /// Spools the notification for every channel whose minimum severity it meets and returns at once; what it did
    /// (spooled, held back, evicted) goes to <paramref name="output"/> before it returns.
    /// </summary>
    public void Enqueue(NotificationEvent notification, IOperationOutput output) => Enqueue(notification, _lanes.Keys, output);

    /// <summary>Spools the notification for the named channels only (those it meets the minimum severity of).</summary>
    public void Enqueue(NotificationEvent notification, IEnumerable<string> channels, IOperationOutput output)
    {
        var targets = channels.Select(LaneNamed).ToList();
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = Now;
            var complete = _options.Templates.Complete(notification);
            var decision = _throttle.Admit(complete, now);
            if (decision != ThrottleDecision.Deliver)
            {
                var reason = decision == ThrottleDecision.Duplicate
                    ? $"Duplicate of an alert sent less than {_options.DuplicateWindow.TotalSeconds:0} s ago."
                    : $"{complete.Instance} is flapping; a FlapSummary alert reports these changes when the {_options.FlapWindow.TotalSeconds:0} s window closes.";
                foreach (var lane in targets.Where(lane => Accepts(lane, complete)))
                {
                    output.WriteObject(NotificationDeliveryResult.Of(complete, lane.Channel.Definition, NotificationDeliveryStatus.Suppressed, 0, reason, now));
                }

                Log(output, $"Held back event {complete.Id} ({complete.Kind}): {reason}");
                return;
            }

            Spool(complete, targets, now, output);
        }
    }

    /// <summary>
    /// Sends open flap summaries and overflow reports now, then waits until every channel's spool is empty or the
    /// timeout passes. Returns whether everything was delivered; what is left stays spooled for later. While it waits,
    /// <paramref name="progress"/> hears how many notifications are left, for which channels, and for how long.
    /// </summary>
    public async Task<bool> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken, IOperationOutput? progress = null)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_housekeeping is null)
            {
                throw new InvalidOperationException("Start the dispatcher before waiting for its delivery.");
            }

            SpoolHousekeeping(Now, closeEverything: true);
        }

        foreach (var lane in _lanes.Values)
        {
            lane.Signal();
        }

        var started = _time.GetTimestamp();
        var shown = string.Empty;
        while (true)
        {
            var waiting = _lanes.Values.Select(lane => (Lane: lane, Count: _spool.Pending(lane.Name).Count)).Where(pending => pending.Count > 0).ToList();
            if (waiting.Count == 0)
            {
                break;
            }

            var elapsed = _time.GetElapsedTime(started);
            if (elapsed >= timeout)
            {
                return false;
            }

            if (progress is not null)
            {
                shown = ReportWaiting(progress, waiting, timeout - elapsed, shown);
            }

            await Task.Delay(FlushPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    // Written only when the count, a failed attempt or the whole second left changes: a line per poll would flood the host.
    private static string ReportWaiting(IOperationOutput progress, IReadOnlyList<(NotificationLane Lane, int Count)> waiting, TimeSpan left, string shown)
    {
        var status = $"{waiting.Sum(pending => pending.Count)} notification(s) waiting for " +
            string.Join(", ", waiting.Select(pending => pending.Lane.Failures > 0 ? $"{pending.Lane.Name} (attempt {pending.Lane.Failures} failed)" : pending.Lane.Name)) +
            $"; {Math.Ceiling(left.TotalSeconds):0} s left.";
        if (status != shown)
        {
            progress.WriteProgress("Delivering", status);
        }

        return status;
    }

    /// <summary>A Pending result for every notification still spooled for this dispatcher's channels.</summary>
    public IReadOnlyList<NotificationDeliveryResult> PendingResults()
    {
        var now = Now;
        var pending = new List<NotificationDeliveryResult>();
        foreach (var lane in _lanes.Values)
        {
            var head = true;
            foreach (var entry in _spool.Pending(lane.Name))
            {
                var notification = TryRead(entry);
                if (notification is null)
                {
                    continue;
                }

                var reason = head && lane.LastError.Length > 0 ? lane.LastError : "Waiting behind earlier notifications for this channel.";
                pending.Add(NotificationDeliveryResult.Of(notification, lane.Channel.Definition, NotificationDeliveryStatus.Pending, head ? lane.Failures : 0, reason, now));
                head = false;
            }
        }

        return pending;
    }

    /// <summary>
    /// Spools open flap summaries and overflow reports, stops the loops and abandons attempts in flight; their
    /// notifications stay spooled for the next dispatcher.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            SpoolHousekeeping(Now, closeEverything: true);
            _disposed = true;
        }

        _stopping.Cancel();
        try
        {
            Task.WaitAll(_lanes.Values.Select(lane => lane.Loop).Append(_housekeeping ?? Task.CompletedTask).ToArray(), StopGracePeriod);
        }
        catch (AggregateException)
        {
            // The loops end by cancellation; any other fault was already reported through the output.
        }

        _stopping.Dispose();
    }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    private NotificationLane LaneNamed(string name) =>
        _lanes.TryGetValue(name, out var lane) ? lane : throw new ArgumentException($"No channel named '{name}' is configured.", nameof(name));

    private static bool Accepts(NotificationLane lane, NotificationEvent notification) =>
        lane.Channel.Definition.Accepts(notification.Severity);

    private void Spool(NotificationEvent notification, IEnumerable<NotificationLane> targets, DateTime now, IOperationOutput output)
    {
        foreach (var lane in targets.Where(lane => Accepts(lane, notification)))
        {
            var added = _spool.Add(lane.Name, notification);
            foreach (var evicted in added.Evicted)
            {
                output.WriteObject(new NotificationDeliveryResult
                {
                    EventId = evicted.EventId,
                    Channel = lane.Name,
                    Type = lane.Channel.Definition.ChannelType,
                    DeliveryStatus = NotificationDeliveryStatus.Evicted,
                    Message = "The channel's spool was full; the oldest notification was dropped.",
                    Timestamp = now,
                });
            }

            lane.EvictedSinceReport += added.Evicted.Count;
            Log(output, $"Spooled event {notification.Id} ({notification.Kind}, {notification.Severity}) for {lane.Name}.");
            lane.Signal();
        }
    }

    private void SpoolHousekeeping(DateTime now, bool closeEverything)
    {
        foreach (var summary in _throttle.TakeSummaries(now, closeEverything))
        {
            Spool(summary, _lanes.Values, now, _output);
        }

        foreach (var lane in _lanes.Values.Where(lane => lane.EvictedSinceReport > 0))
        {
            if (!closeEverything && now - lane.LastOverflowReport < _options.OverflowReportInterval)
            {
                continue;
            }

            var dropped = lane.EvictedSinceReport;
            lane.EvictedSinceReport = 0;
            lane.LastOverflowReport = now;
            Spool(OverflowAlert(lane.Name, dropped, now), new[] { lane }, now, _output);
        }
    }

    private static NotificationEvent OverflowAlert(string channel, int dropped, DateTime now) => new()
    {
        Time = now,
        Kind = NotificationKind.SpoolOverflow,
        Severity = NotificationSeverity.Warning,
        Instance = channel,
        Message = $"The spool for channel '{channel}' was full: its {dropped} oldest undelivered notification(s) were dropped. Check the channel's endpoint.",
        Details = new Dictionary<string, string> { ["dropped"] = dropped.ToString(CultureInfo.InvariantCulture), ["channel"] = channel },
    };

    private async Task RunHousekeepingAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(HousekeepingInterval, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                Guard("housekeeping", () => SpoolHousekeeping(Now, closeEverything: false));
            }
        }
    }

    private async Task RunLaneAsync(NotificationLane lane)
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            var backoff = lane.RetryAt - Now;
            try
            {
                await lane.WaitAsync(backoff > TimeSpan.Zero ? backoff : _options.PollInterval, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (Now < lane.RetryAt)
            {
                continue;
            }

            try
            {
                await DrainAsync(lane, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                lane.RetryAt = Now + _options.PollInterval;
                Log(_output, $"{lane.Name}: the spool is not usable: {e.Message}");
            }
        }
    }

    private async Task DrainAsync(NotificationLane lane, CancellationToken token)
    {
        using var hold = _spool.TryLock(lane.Name);
        if (hold is null)
        {
            return;
        }

        foreach (var entry in _spool.Pending(lane.Name))
        {
            if (token.IsCancellationRequested)
            {
                return;
            }

            var notification = TryRead(entry);
            if (notification is null)
            {
                continue;
            }

            var attempt = lane.Failures + 1;
            var timeout = TimeSpan.FromSeconds(lane.Channel.Definition.TimeoutSeconds);
            try
            {
                using var timer = new CancellationTokenSource(timeout, _time);
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(token, timer.Token);
                await lane.Channel.SendAsync(notification, bounded.Token).ConfigureAwait(false);
            }
            catch (NotificationDeliveryException e) when (e.IsPermanent)
            {
                var reason = _redactor.Redact(e.Message);

                // Reported before the file leaves the queue: FlushAsync returns once the queue is empty, and must
                // then find the result waiting, not miss it by the few microseconds between the two steps.
                _output.WriteObject(NotificationDeliveryResult.Of(notification, lane.Channel.Definition, NotificationDeliveryStatus.Rejected, attempt, reason, Now));
                _spool.SetAside(entry, reason);
                lane.Failures = 0;
                lane.LastError = string.Empty;
                Log(_output, $"{lane.Name}: event {notification.Id} rejected for good and set aside in {NotificationSpool.RejectedFolder}/: {reason}");
                continue;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                lane.Failures = attempt;
                var delay = _backoff.Delay(attempt);
                lane.RetryAt = Now + delay;
                lane.LastError = _redactor.Redact(e is OperationCanceledException ? $"No answer within the channel's {timeout.TotalSeconds:0} s timeout." : Describe(e));
                Log(_output, $"{lane.Name}: attempt {attempt} for event {notification.Id} failed: {lane.LastError} Next attempt in {delay.TotalSeconds:0.0} s.");
                return;
            }

            // Reported first for the same reason as a rejection; a failure to remove the file only means a repeat.
            _output.WriteObject(NotificationDeliveryResult.Of(notification, lane.Channel.Definition, NotificationDeliveryStatus.Delivered, attempt, string.Empty, Now));
            _spool.Complete(entry);
            lane.Failures = 0;
            lane.LastError = string.Empty;
            Log(_output, $"{lane.Name}: delivered event {notification.Id} on attempt {attempt}.");
        }
    }

    private NotificationEvent? TryRead(SpoolEntry entry)
    {
        try
        {
            return _spool.Read(entry);
        }
        catch (FileNotFoundException)
        {
            // Evicted or delivered by another dispatcher since the folder was listed.
            return null;
        }
        catch (SpoolCorruptException e)
        {
            _spool.SetAside(entry, e.Message);
            Log(_output, $"{entry.Channel}: set aside unreadable spool file: {e.Message}");
            return null;
        }
    }

    // Exception texts and server replies may quote a secret; nothing leaves the dispatcher unredacted.
    private void Log(IOperationOutput output, string line) => output.WriteVerbose(_redactor.Redact(line));

    private void Guard(string activity, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log(_output, $"{activity} failed: {e.Message}");
        }
    }

    // Engine exceptions carry operator-facing messages; anything else is named by type so a bug stays recognisable.
    internal static string Describe(Exception e) =>
        e is KdcHaException ? e.Message : $"{e.GetType().Name}: {e.Message}";

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(NotificationDispatcher));
        }
    }
}

public sealed class NotificationDispatcherOptions
{
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan FlapWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>State changes of one instance within the flap window that are still sent one by one.</summary>
    public int FlapThreshold { get; init; } = 3;

    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle channel looks for notifications other processes spooled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>At most one SpoolOverflow alert per channel per interval, however many notifications were dropped.</summary>
    public TimeSpan OverflowReportInterval { get; init; } = TimeSpan.FromSeconds(60);

    public NotificationTemplates Templates { get; init; } = new();
}

/// <summary>One channel's delivery state: its wake-up signal, its backoff, and the loop that drains its spool folder.</summary>
internal sealed class NotificationLane
{
    public NotificationLane(INotificationChannel channel)
    {
        Channel = channel;
    }

    public INotificationChannel Channel { get; }

    public string Name => Channel.Definition.Name;

    // Completed by Signal, replaced once a wait has seen it. Unlike a semaphore wait, an awaited task that timed out
    // leaves nothing behind that could swallow the next signal.
    private TaskCompletionSource _wake = NewWake();

    public Task Loop { get; set; } = Task.CompletedTask;

    /// <summary>Failed attempts in a row on the entry at the head of the lane.</summary>
    public int Failures { get; set; }

    public DateTime RetryAt { get; set; } = DateTime.MinValue;

    public string LastError { get; set; } = string.Empty;

    public int EvictedSinceReport { get; set; }

    public DateTime LastOverflowReport { get; set; } = DateTime.MinValue;

    /// <summary>Wakes the loop; one pending wake-up covers any number of new entries.</summary>
    public void Signal() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>Returns when signalled or once <paramref name="timeout"/> has passed on <paramref name="time"/>, never before.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var wake = Volatile.Read(ref _wake);
        try
        {
            // Task.WaitAsync drops the fraction of a millisecond: a backoff of 50.3 ms would end at 50 ms and one of
            // 0.3 ms at once, so the lane would spin until the clock passed its retry time. On a clock that moves only
            // when the timer callback running the lane returns, that spin never ended.
            var wholeMilliseconds = TimeSpan.FromMilliseconds(Math.Ceiling(timeout.TotalMilliseconds));
            await wake.Task.WaitAsync(wholeMilliseconds, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return;
        }

        // The entries behind a signal that lands between here and the next wait are read by the drain that follows.
        Interlocked.CompareExchange(ref _wake, NewWake(), wake);
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
