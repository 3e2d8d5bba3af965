using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using KdcHa.Common;
using KdcHa.Monitor;
using KdcHa.Monitor.Metrics;
using KdcHa.Notification;
using KdcHa.Vrrp;
using static KdcHa.Kerberos.Health.KdcHealthStatus;

namespace KdcHa.Tests.Monitor;

/// <summary>The metrics as the monitor's own rounds and events make them, rendered as Prometheus text 0.0.4.</summary>
public partial class MonitorMetricsTests
{
    private static readonly (string, bool)[] Pair = { ("local", true), ("peer", false) };

    [Fact]
    public void A_hung_local_kdc_shows_down_faulted_and_one_failover()
    {
        var metrics = new MonitorMetrics(Pair, Array.Empty<string>(), null);
        var harness = new MonitorHarness(fall: 2, statusStore: store => new MetricsStatusStore(store, metrics));
        harness.Prober.Add("local", Healthy, Timeout, Timeout);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();
        foreach (var e in harness.Sink.Events)
        {
            metrics.Publish(e);
        }

        var text = Render(metrics);
        Assert.Equal(0, Value(text, "kdcha_kdc_up{kdc=\"local\",role=\"local\"}"));
        Assert.Equal(1, Value(text, "kdcha_kdc_up{kdc=\"peer\",role=\"peer\"}"));
        Assert.Equal(1, Value(text, "kdcha_fault_asserted"));
        Assert.Equal(1, Value(text, "kdcha_failovers_total{reason=\"local_kdc_down\"}"));
        Assert.Equal(0, Value(text, "kdcha_failovers_total{reason=\"orphaned_vip\"}"));
        Assert.True(Value(text, "kdcha_last_failover_timestamp_seconds") > 1.8e9);

        // Three rounds, each probe counted once (the status written on stop repeats the last round and is not counted).
        Assert.Equal(3, Value(text, "kdcha_monitor_rounds_total"));
        Assert.Equal(1, Value(text, "kdcha_probe_results_total{kdc=\"local\",role=\"local\",status=\"Healthy\"}"));
        Assert.Equal(2, Value(text, "kdcha_probe_results_total{kdc=\"local\",role=\"local\",status=\"Timeout\"}"));
        Assert.Equal(3, Value(text, "kdcha_probe_results_total{kdc=\"peer\",role=\"peer\",status=\"Healthy\"}"));
        Assert.Equal(3, Value(text, "kdcha_probe_duration_seconds_count{kdc=\"local\",role=\"local\"}"));
        Assert.Equal(3, Value(text, "kdcha_probe_duration_seconds_bucket{kdc=\"local\",role=\"local\",le=\"+Inf\"}"));
        Assert.Equal(0.003, Value(text, "kdcha_probe_duration_seconds_sum{kdc=\"local\",role=\"local\"}"), 9);

        // The scripted probes take 1 ms: on the 1 ms bound, so in every bucket.
        Assert.Equal(3, Value(text, "kdcha_probe_duration_seconds_bucket{kdc=\"local\",role=\"local\",le=\"0.001\"}"));
    }

    [Fact]
    public void Every_family_has_one_help_and_type_before_its_samples_and_the_text_ends_in_a_newline()
    {
        var metrics = new MonitorMetrics(Pair, new[] { "ops" }, _ => 2);
        metrics.Observe(Status(rounds: 1));

        var text = Render(metrics);

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        var typed = new List<string>();
        string? current = null;
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                current = line.Split(' ')[2];
                Assert.DoesNotContain(current, typed);
                typed.Add(current);
            }
            else if (!line.StartsWith('#'))
            {
                var name = SampleName().Match(line).Value;
                Assert.True(current is not null && (name == current || name.StartsWith(current + "_", StringComparison.Ordinal)), $"'{line}' is not in family {current}");
            }
        }

        Assert.Contains("kdcha_build_info", typed);
        Assert.All(typed.Where(name => text.Contains($"# TYPE {name} counter", StringComparison.Ordinal)), name => Assert.EndsWith("_total", name, StringComparison.Ordinal));
    }

    [Fact]
    public void The_process_cost_is_shown_under_the_names_prometheus_client_libraries_use()
    {
        GC.Collect();
        var text = Render(new MonitorMetrics(Pair, Array.Empty<string>(), null));

        Assert.InRange(Value(text, "process_resident_memory_bytes"), Environment.WorkingSet / 2.0, Environment.WorkingSet * 2.0);
        Assert.True(Value(text, "process_virtual_memory_bytes") > Value(text, "process_resident_memory_bytes"));
        Assert.InRange(Value(text, "process_cpu_seconds_total"), 0.01, (DateTime.UtcNow - System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime()).TotalSeconds * Environment.ProcessorCount);
        Assert.InRange(Value(text, "process_open_fds"), 3, Value(text, "process_max_fds"));
        Assert.InRange(Value(text, "process_start_time_seconds"), DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.True(Value(text, "dotnet_total_memory_bytes") > 0);
        Assert.True(Value(text, "dotnet_gc_heap_total_allocated_bytes_total") >= Value(text, "dotnet_total_memory_bytes"));
        Assert.True(Value(text, "dotnet_collection_count_total{generation=\"2\"}") >= 1);
        Assert.True(Value(text, "dotnet_collection_count_total{generation=\"0\"}") >= Value(text, "dotnet_collection_count_total{generation=\"2\"}"));
    }

    [Fact]
    public void Label_values_are_escaped()
    {
        var metrics = new MonitorMetrics(new[] { ("kdc\"1\\\n", true), ("peer", false) }, Array.Empty<string>(), null);

        Assert.Contains("kdcha_kdc_up{kdc=\"kdc\\\"1\\\\\\n\",role=\"local\"} 0\n", Render(metrics), StringComparison.Ordinal);
    }

    [Fact]
    public void Vrrp_instances_use_keepalived_exporters_state_coding_and_groups_are_left_out()
    {
        var metrics = new MonitorMetrics(Pair, Array.Empty<string>(), null);
        var status = Status(rounds: 1);
        status.Vrrp = new List<VrrpInstanceStatus>
        {
            new() { Kind = "INSTANCE", Instance = "VI_1", InstanceState = VrrpState.Master },
            new() { Kind = "INSTANCE", Instance = "VI_2", InstanceState = VrrpState.Backup },
            new() { Kind = "INSTANCE", Instance = "VI_3", InstanceState = VrrpState.Fault },
            new() { Kind = "INSTANCE", Instance = "VI_4", InstanceState = VrrpState.Stop },
            new() { Kind = "GROUP", Instance = "G", InstanceState = VrrpState.Master },
        };
        status.SplitBrains = new List<SplitBrainStatus> { new() { VirtualRouterId = 51, Masters = new() { "a", "b" } } };
        metrics.Observe(status);

        var text = Render(metrics);

        Assert.Equal(2, Value(text, "kdcha_vrrp_state{vrrp_instance=\"VI_1\"}"));
        Assert.Equal(1, Value(text, "kdcha_vrrp_state{vrrp_instance=\"VI_2\"}"));
        Assert.Equal(3, Value(text, "kdcha_vrrp_state{vrrp_instance=\"VI_3\"}"));
        Assert.Equal(0, Value(text, "kdcha_vrrp_state{vrrp_instance=\"VI_4\"}"));
        Assert.Equal(1, Value(text, "kdcha_vip_held{vrrp_instance=\"VI_1\"}"));
        Assert.Equal(0, Value(text, "kdcha_vip_held{vrrp_instance=\"VI_2\"}"));
        Assert.DoesNotContain("\"G\"", text, StringComparison.Ordinal);
        Assert.Equal(1, Value(text, "kdcha_split_brain"));
    }

    [Fact]
    public void Alert_outcomes_count_per_configured_channel_and_the_backlog_is_listed_at_most_once_a_second()
    {
        var now = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var listings = 0;
        var metrics = new MonitorMetrics(Pair, new[] { "ops" }, _ => ++listings, () => now);
        var tap = metrics.TapAlerts(OperationOutput.None);

        tap.WriteObject(new NotificationDeliveryResult { Channel = "ops", DeliveryStatus = NotificationDeliveryStatus.Delivered });
        tap.WriteObject(new NotificationDeliveryResult { Channel = "ops", DeliveryStatus = NotificationDeliveryStatus.Rejected });
        tap.WriteObject(new NotificationDeliveryResult { Channel = "ops", DeliveryStatus = NotificationDeliveryStatus.Delivered });
        tap.WriteObject(new NotificationDeliveryResult { Channel = "elsewhere", DeliveryStatus = NotificationDeliveryStatus.Delivered });

        var first = Render(metrics);
        var again = Render(metrics);
        now = now.AddSeconds(1);
        var later = Render(metrics);

        Assert.Equal(2, Value(first, "kdcha_alert_deliveries_total{channel=\"ops\",result=\"delivered\"}"));
        Assert.Equal(1, Value(first, "kdcha_alert_deliveries_total{channel=\"ops\",result=\"rejected\"}"));
        Assert.Equal(0, Value(first, "kdcha_alert_deliveries_total{channel=\"ops\",result=\"evicted\"}"));
        Assert.DoesNotContain("elsewhere", first, StringComparison.Ordinal);
        Assert.Equal(1, Value(first, "kdcha_alerts_pending{channel=\"ops\"}"));
        Assert.Equal(1, Value(again, "kdcha_alerts_pending{channel=\"ops\"}"));
        Assert.Equal(2, Value(later, "kdcha_alerts_pending{channel=\"ops\"}"));
    }

    private static MonitorStatus Status(long rounds) => new()
    {
        Node = "node1",
        Rounds = rounds,
        Started = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        Updated = new DateTime(2030, 1, 1, 0, 0, 1, DateTimeKind.Utc),
        IntervalMilliseconds = 200,
        Kdcs = new List<KdcStatus>
        {
            new() { Kdc = "local", IsLocal = true, Health = KdcHealthState.Up, LastProbe = new DateTime(2030, 1, 1, 0, 0, 1, DateTimeKind.Utc), LastProbeStatus = "Healthy", LastRoundTripMilliseconds = 0.7 },
            new() { Kdc = "peer", Health = KdcHealthState.Up, LastProbe = new DateTime(2030, 1, 1, 0, 0, 1, DateTimeKind.Utc), LastProbeStatus = "Healthy", LastRoundTripMilliseconds = 3 },
        },
    };

    private static string Render(MonitorMetrics metrics) => Encoding.UTF8.GetString(metrics.Render());

    private static double Value(string text, string series)
    {
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no sample {series} in:\n{text}");
        return double.Parse(line![(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();
}
