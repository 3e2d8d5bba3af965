using System.Collections.Generic;
using System.Globalization;
using KdcHa.Notification;

namespace KdcHa.Monitor;

/// <summary>
/// The one place that decides which monitor events are alerts and what they say. Events without a notification
/// meaning (start, stop, FAULT flag changes, source failures) map to null: the pipeline and the log have them.
/// </summary>
public static class MonitorNotifications
{
    public const string Source = "Start-KdcHaMonitor";

    private const string AllKdcs = "all KDCs";

    public static NotificationEvent? ToNotification(MonitorEvent monitorEvent) => monitorEvent switch
    {
        HealthChangedEvent { State: "Down" } e => Alert(e, NotificationSeverity.Warning, NotificationKind.KdcUnhealthy, e.Kdc, e.PreviousState, e.State),

        // Unknown to Up is the monitor starting, not a recovery.
        HealthChangedEvent { State: "Up", PreviousState: "Down" } e => Alert(e, NotificationSeverity.Info, NotificationKind.KdcRecovered, e.Kdc, e.PreviousState, e.State),
        AllKdcsDownEvent { Resolved: false } e => Alert(e, NotificationSeverity.Critical, NotificationKind.KdcUnhealthy, AllKdcs, "Up", "Down"),
        AllKdcsDownEvent e => Alert(e, NotificationSeverity.Info, NotificationKind.KdcRecovered, AllKdcs, "Down", "Up"),
        VrrpStateChangedEvent e => Alert(e, e.Severity == nameof(MonitorEventSeverity.Warning) ? NotificationSeverity.Warning : NotificationSeverity.Info,
            NotificationKind.VrrpStateChanged, e.Instance, e.PreviousState, e.State, ("priority", e.Priority?.ToString(CultureInfo.InvariantCulture))),
        SplitBrainSuspectedEvent e => Alert(e, NotificationSeverity.Critical, NotificationKind.SplitBrain, Vrid(e.VirtualRouterId), "Single", "SplitBrain",
            ("masters", string.Join(", ", e.Masters))),
        SplitBrainClearedEvent e => Alert(e, NotificationSeverity.Info, NotificationKind.SplitBrain, Vrid(e.VirtualRouterId), "SplitBrain", "Single"),
        _ => null,
    };

    private static string Vrid(int virtualRouterId) => "VRID " + virtualRouterId.ToString(CultureInfo.InvariantCulture);

    private static NotificationEvent Alert(
        MonitorEvent e, NotificationSeverity severity, NotificationKind kind, string instance, string oldState, string newState, params (string Key, string? Value)[] details)
    {
        var map = new Dictionary<string, string> { ["eventType"] = e.EventType };
        foreach (var (key, value) in details)
        {
            if (value is not null)
            {
                map[key] = value;
            }
        }

        return new NotificationEvent
        {
            Time = e.Timestamp,
            Host = e.Node,
            Source = Source,
            Severity = severity,
            Kind = kind,
            Instance = instance,
            OldState = oldState,
            NewState = newState,
            Message = e.Message,
            Details = map,
        };
    }
}
