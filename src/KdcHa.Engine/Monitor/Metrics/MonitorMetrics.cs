using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using KdcHa.Common;
using KdcHa.Kerberos.Health;
using KdcHa.Notification;
using KdcHa.Vrrp;

namespace KdcHa.Monitor.Metrics;

/// <summary>Why this node's monitor moved the VIP away: the bounded values of kdcha_failovers_total's reason label.</summary>
public enum FailoverReason
{
    /// <summary>The monitor asserted FAULT: the local KDC is down and a peer is up.</summary>
    LocalKdcDown,

    /// <summary>keepalived had died leaving the VIP here while a peer was master, and the monitor released it.</summary>
    OrphanedVip,
}

/// <summary>
/// The monitor's state as Prometheus metrics (text format 0.0.4). Everything comes from what the monitor already does:
/// the status it writes after each round (through <see cref="MetricsStatusStore"/>; each round's probes counted once), its events (this is an event
/// sink), and the outcome of each alert delivery (<see cref="TapAlerts"/>). A scrape renders the last of these under
/// one short lock and never probes; only the alert backlog is counted from the spool, at most once a second.
/// Every series whose labels are known in advance (KDCs, statuses, reasons, channels) exists from the start at 0.
/// </summary>
public sealed class MonitorMetrics : IMonitorEventSink
{
    /// <summary>Probe round trips, in seconds: a local KDC answers in about a millisecond, the default deadline is 100 ms.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = new[] { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1 };

    private static readonly KdcHealthStatus[] ProbeStatuses = Enum.GetValues<KdcHealthStatus>();
    private static readonly FailoverReason[] Reasons = Enum.GetValues<FailoverReason>();
    private static readonly NotificationDeliveryStatus[] DeliveryResults =
        { NotificationDeliveryStatus.Delivered, NotificationDeliveryStatus.Rejected, NotificationDeliveryStatus.Evicted, NotificationDeliveryStatus.Suppressed };

    private static readonly TimeSpan PendingRefresh = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private readonly KdcSeries[] _kdcs;
    private readonly IReadOnlyList<string> _channels;
    private readonly Func<string, int>? _pendingCount;
    private readonly Func<DateTime> _utcNow;
    private readonly long[] _failovers = new long[Reasons.Length];
    private readonly Dictionary<(string Channel, NotificationDeliveryStatus Result), long> _deliveries = new();
    private readonly Dictionary<string, int> _pending = new();
    private DateTime _pendingCounted = DateTime.MinValue;
    private MonitorStatus? _status;
    private DateTime? _started;
    private DateTime? _lastFailover;

    /// <param name="kdcs">Every KDC the monitor probes, by name, and whether it is the local one.</param>
    /// <param name="channels">The monitor's alert channels; empty without alerts.</param>
    /// <param name="pendingCount">How many alerts a channel's spool holds (a directory listing); null without alerts.</param>
    /// <param name="utcNow">The clock for the backlog's refresh; the system clock by default.</param>
    public MonitorMetrics(IEnumerable<(string Name, bool IsLocal)> kdcs, IReadOnlyList<string> channels, Func<string, int>? pendingCount, Func<DateTime>? utcNow = null)
    {
        _kdcs = (kdcs ?? throw new ArgumentNullException(nameof(kdcs))).Select(kdc => new KdcSeries(kdc.Name, kdc.IsLocal)).ToArray();
        _channels = channels ?? throw new ArgumentNullException(nameof(channels));
        _pendingCount = pendingCount;
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
        foreach (var channel in _channels)
        {
            _pending[channel] = 0;
            foreach (var result in DeliveryResults)
            {
                _deliveries[(channel, result)] = 0;
            }
        }
    }

    /// <summary>KdcHa's version as the build stamped it, without the source revision.</summary>
    public static string Version { get; } =
        (typeof(MonitorMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>What the endpoint itself counts (answers by code, connections it dropped), shown with the rest.</summary>
    public MetricsEndpointCounters Endpoint { get; } = new();

    /// <summary>The status of the monitor's last round, as /status serves it; null before the first.</summary>
    public MonitorStatus? Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Takes one round's status: the KDCs' probes (each round counted once), their verdicts, VRRP, fault.</summary>
    public void Observe(MonitorStatus status)
    {
        if (status is null)
        {
            throw new ArgumentNullException(nameof(status));
        }

        lock (_gate)
        {
            // A status per round, and one more on stop that repeats the last round's probes: counted by round number.
            var newRound = status.Rounds != (_status?.Rounds ?? 0);
            _status = status;
            _started ??= status.Started;
            foreach (var kdc in status.Kdcs)
            {
                var series = Array.Find(_kdcs, s => s.Name == kdc.Kdc);
                if (!newRound || series is null || kdc.LastProbe is null)
                {
                    continue;
                }

                series.Observe(kdc.LastRoundTripMilliseconds / 1000, Enum.TryParse<KdcHealthStatus>(kdc.LastProbeStatus, out var verdict) ? verdict : KdcHealthStatus.ProtocolError);
            }
        }
    }

    public void Publish(MonitorEvent monitorEvent)
    {
        var reason = monitorEvent switch
        {
            FaultChangedEvent { Fault: true } => FailoverReason.LocalKdcDown,
            OrphanedVipEvent { Released: true } => FailoverReason.OrphanedVip,
            _ => (FailoverReason?)null,
        };
        lock (_gate)
        {
            if (monitorEvent is MonitorStartedEvent started)
            {
                _started = started.Timestamp;
            }

            if (reason is { } r)
            {
                _failovers[(int)r]++;
                _lastFailover = monitorEvent.Timestamp;
            }
        }
    }

    /// <summary>The output the alert dispatcher writes its delivery results to, counting each before passing it on.</summary>
    public IOperationOutput TapAlerts(IOperationOutput output) => new AlertTap(this, output ?? throw new ArgumentNullException(nameof(output)));

    /// <summary>Every metric in Prometheus text format 0.0.4 (UTF-8, '\n' line ends).</summary>
    public byte[] Render()
    {
        var pending = PendingCounts();
        var text = new PrometheusTextWriter();
        lock (_gate)
        {
            text.Family("kdcha_build_info", "gauge", "KdcHa's version; always 1.");
            text.Sample("kdcha_build_info", 1, ("version", Version));

            text.Family("kdcha_monitor_start_timestamp_seconds", "gauge", "When the monitor started, in seconds since the Unix epoch.");
            text.Sample("kdcha_monitor_start_timestamp_seconds", Seconds(_started));
            text.Family("kdcha_monitor_last_round_timestamp_seconds", "gauge", "When the monitor last finished a probe round, in seconds since the Unix epoch; 0 before the first.");
            text.Sample("kdcha_monitor_last_round_timestamp_seconds", Seconds(_status?.Updated));
            text.Family("kdcha_monitor_rounds_total", "counter", "Probe rounds the monitor finished.");
            text.Sample("kdcha_monitor_rounds_total", _status?.Rounds ?? 0);
            text.Family("kdcha_monitor_interval_seconds", "gauge", "The configured probe interval.");
            text.Sample("kdcha_monitor_interval_seconds", (_status?.IntervalMilliseconds ?? 0) / 1000.0);

            text.Family("kdcha_probe_duration_seconds", "histogram", "Round trip of the monitor's probes, one per KDC and round.");
            foreach (var kdc in _kdcs)
            {
                kdc.WriteHistogram(text);
            }

            text.Family("kdcha_probe_results_total", "counter", "The monitor's probes by result (Healthy, Timeout, Refused, ...).");
            foreach (var kdc in _kdcs)
            {
                for (var i = 0; i < ProbeStatuses.Length; i++)
                {
                    text.Sample("kdcha_probe_results_total", kdc.Results[i], ("kdc", kdc.Name), ("role", kdc.Role), ("status", ProbeStatuses[i].ToString()));
                }
            }

            text.Family("kdcha_kdc_up", "gauge", "1 while the monitor holds the KDC up (after rise good probes), 0 when down or not yet known.");
            foreach (var kdc in _kdcs)
            {
                var state = _status?.Kdcs.FirstOrDefault(s => s.Kdc == kdc.Name)?.Health;
                text.Sample("kdcha_kdc_up", state == KdcHealthState.Up ? 1 : 0, ("kdc", kdc.Name), ("role", kdc.Role));
            }

            text.Family("kdcha_fault_asserted", "gauge", "1 while the monitor asserts FAULT to keepalived (the local KDC is down and a peer is up).");
            text.Sample("kdcha_fault_asserted", _status?.Fault == true ? 1 : 0);
            text.Family("kdcha_all_kdcs_down", "gauge", "1 while every KDC the monitor probes is down.");
            text.Sample("kdcha_all_kdcs_down", _status?.AllKdcsDown == true ? 1 : 0);

            var instances = (_status?.Vrrp ?? new List<VrrpInstanceStatus>()).Where(vrrp => vrrp.Kind == "INSTANCE").ToList();
            text.Family("kdcha_vrrp_state", "gauge", "The VRRP instance's state as keepalived's notify FIFO last said: 0 INIT (or unknown, stopped), 1 BACKUP, 2 MASTER, 3 FAULT.");
            foreach (var instance in instances)
            {
                text.Sample("kdcha_vrrp_state", VrrpStateValue(instance.InstanceState), ("vrrp_instance", instance.Instance));
            }

            text.Family("kdcha_vip_held", "gauge", "1 while this node is MASTER of the VRRP instance, so holds its VIPs.");
            foreach (var instance in instances)
            {
                text.Sample("kdcha_vip_held", instance.InstanceState == VrrpState.Master ? 1 : 0, ("vrrp_instance", instance.Instance));
            }

            text.Family("kdcha_split_brain", "gauge", "Virtual router ids on which more than one master is heard now; 0 without -VrrpInterface.");
            text.Sample("kdcha_split_brain", _status?.SplitBrains.Count ?? 0);

            text.Family("kdcha_failovers_total", "counter", "Times this node's monitor moved the VIP away, by reason (local_kdc_down, orphaned_vip).");
            for (var i = 0; i < Reasons.Length; i++)
            {
                text.Sample("kdcha_failovers_total", _failovers[i], ("reason", ReasonLabel(Reasons[i])));
            }

            text.Family("kdcha_last_failover_timestamp_seconds", "gauge", "When this node's monitor last moved the VIP away; 0 if it has not since it started.");
            text.Sample("kdcha_last_failover_timestamp_seconds", Seconds(_lastFailover));

            text.Family("kdcha_alerts_pending", "gauge", "Alerts spooled for the channel and not yet delivered.");
            foreach (var channel in _channels)
            {
                text.Sample("kdcha_alerts_pending", pending.TryGetValue(channel, out var count) ? count : 0, ("channel", channel));
            }

            text.Family("kdcha_alert_deliveries_total", "counter", "Alerts the channel finished with, by result (delivered, rejected, evicted, suppressed).");
            foreach (var channel in _channels)
            {
                foreach (var result in DeliveryResults)
                {
                    text.Sample("kdcha_alert_deliveries_total", _deliveries[(channel, result)], ("channel", channel), ("result", result.ToString().ToLowerInvariant()));
                }
            }
        }

        Endpoint.Write(text);
        ProcessMetrics.Write(text);
        return text.ToBytes();
    }

    private static string ReasonLabel(FailoverReason reason) => reason switch
    {
        FailoverReason.LocalKdcDown => "local_kdc_down",
        _ => "orphaned_vip",
    };

    // keepalived-exporter's coding (INIT 0, BACKUP 1, MASTER 2, FAULT 3); stopped, deleted and unknown are not serving.
    private static int VrrpStateValue(VrrpState state) => state switch
    {
        VrrpState.Backup => 1,
        VrrpState.Master => 2,
        VrrpState.Fault => 3,
        _ => 0,
    };

    private static double Seconds(DateTime? time) =>
        time is { } t ? (DateTime.SpecifyKind(t, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalMilliseconds / 1000 : 0;

    private Dictionary<string, int> PendingCounts()
    {
        if (_pendingCount is null)
        {
            return _pending;
        }

        // A directory listing per channel, not per scrape: a scraper asking ten times a second costs one listing a second.
        var now = _utcNow();
        lock (_gate)
        {
            if (now - _pendingCounted < PendingRefresh && now >= _pendingCounted)
            {
                return new Dictionary<string, int>(_pending);
            }

            _pendingCounted = now;
        }

        var counts = new Dictionary<string, int>();
        foreach (var channel in _channels)
        {
            try
            {
                counts[channel] = _pendingCount(channel);
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
            {
                // A spool that cannot be listed keeps its last count; the dispatcher reports its own failures.
            }
        }

        lock (_gate)
        {
            foreach (var (channel, count) in counts)
            {
                _pending[channel] = count;
            }

            return new Dictionary<string, int>(_pending);
        }
    }

    private void Delivered(NotificationDeliveryResult result)
    {
        lock (_gate)
        {
            // A channel not in the monitor's list is not a new series: labels stay the configured ones.
            if (_deliveries.TryGetValue((result.Channel, result.DeliveryStatus), out var count))
            {
                _deliveries[(result.Channel, result.DeliveryStatus)] = count + 1;
            }
        }
    }

    private sealed class KdcSeries
    {
        public KdcSeries(string name, bool isLocal)
        {
            Name = name;
            Role = isLocal ? "local" : "peer";
        }

        public string Name { get; }

        public string Role { get; }

        public long[] Buckets { get; } = new long[DurationBuckets.Count];

        public long[] Results { get; } = new long[ProbeStatuses.Length];

        public double Sum { get; private set; }

        public long Count { get; private set; }

        public void Observe(double seconds, KdcHealthStatus verdict)
        {
            for (var i = 0; i < DurationBuckets.Count; i++)
            {
                if (seconds <= DurationBuckets[i])
                {
                    Buckets[i]++;
                }
            }

            Sum += seconds;
            Count++;
            Results[(int)verdict]++;
        }

        public void WriteHistogram(PrometheusTextWriter text)
        {
            for (var i = 0; i < DurationBuckets.Count; i++)
            {
                text.Sample("kdcha_probe_duration_seconds_bucket", Buckets[i], ("kdc", Name), ("role", Role), ("le", PrometheusTextWriter.Number(DurationBuckets[i])));
            }

            text.Sample("kdcha_probe_duration_seconds_bucket", Count, ("kdc", Name), ("role", Role), ("le", "+Inf"));
            text.Sample("kdcha_probe_duration_seconds_sum", Sum, ("kdc", Name), ("role", Role));
            text.Sample("kdcha_probe_duration_seconds_count", Count, ("kdc", Name), ("role", Role));
        }
    }

    private sealed class AlertTap : IOperationOutput
    {
        private readonly MonitorMetrics _metrics;
        private readonly IOperationOutput _output;

        public AlertTap(MonitorMetrics metrics, IOperationOutput output)
        {
            _metrics = metrics;
            _output = output;
        }

        public void WriteObject(object value)
        {
            if (value is NotificationDeliveryResult result)
            {
                _metrics.Delivered(result);
            }

            _output.WriteObject(value);
        }

        public void WriteVerbose(string message) => _output.WriteVerbose(message);

        public void WriteWarning(string message) => _output.WriteWarning(message);

        public void WriteProgress(string stage, string status) => _output.WriteProgress(stage, status);
    }
}

/// <summary>Hands each round's status to the metrics before the store it wraps (the status file, the agent check).</summary>
public sealed class MetricsStatusStore : IMonitorStatusStore
{
    private readonly IMonitorStatusStore _inner;
    private readonly MonitorMetrics _metrics;

    public MetricsStatusStore(IMonitorStatusStore inner, MonitorMetrics metrics)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
    }

    public void Write(MonitorStatus status)
    {
        _metrics.Observe(status);
        _inner.Write(status);
    }
}

/// <summary>Builds text format 0.0.4: '# HELP' and '# TYPE' once per family before its samples, escaped label values.</summary>
public sealed class PrometheusTextWriter
{
    private readonly StringBuilder _text = new(8192);

    /// <summary>A sample value or bucket bound as Go's ParseFloat reads it: shortest round-trip form, +Inf, -Inf, NaN.</summary>
    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    public void Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    public void Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Name).Append("=\"");
                foreach (var c in labels[i].Value)
                {
                    _ = c switch
                    {
                        '\\' => _text.Append("\\\\"),
                        '"' => _text.Append("\\\""),
                        '\n' => _text.Append("\\n"),
                        _ => _text.Append(c),
                    };
                }

                _text.Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Number(value)).Append('\n');
    }

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(_text.ToString());
}
