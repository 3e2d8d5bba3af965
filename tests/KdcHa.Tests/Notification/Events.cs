using System;
using System.Collections.Generic;
using KdcHa.Notification;

namespace KdcHa.Tests.Notification;

internal static class Events
{
    public static NotificationEvent StateChange(string oldState = "BACKUP", string newState = "MASTER", string instance = "VI_1") => new()
    {
        Time = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc),
        Host = "kdc1",
        Kind = NotificationKind.VrrpStateChanged,
        Severity = NotificationSeverity.Warning,
        Instance = instance,
        OldState = oldState,
        NewState = newState,
        Message = $"{instance} {oldState} -> {newState}",
        Details = new Dictionary<string, string> { ["priority"] = "150" },
    };

    public static NotificationEvent Custom(string message) => new()
    {
        Host = "kdc1",
        Severity = NotificationSeverity.Critical,
        Message = message,
    };
}
