using System;
using System.Collections.Generic;
using System.Linq;

namespace KdcHa.Notification;

/// <summary>
/// The shared alerting setup (default /etc/kdcha/notification.json) that the monitor and scheduled scripts both
/// read, so channels are defined once.
/// </summary>
public sealed class NotificationConfiguration
{
    public const string DefaultSpoolPath = "/var/spool/kdcha/notifications";

    public string SpoolPath { get; set; } = DefaultSpoolPath;

    public int MaxPendingPerChannel { get; set; } = 1000;

    public double DuplicateWindowSeconds { get; set; } = 300;

    public double FlapWindowSeconds { get; set; } = 60;

    public int FlapThreshold { get; set; } = 3;

    public double RetryInitialDelaySeconds { get; set; } = 1;

    public double RetryMaxDelaySeconds { get; set; } = 60;

    /// <summary>Message templates by kind, replacing the English defaults: {Instance}, {OldState}, {NewState}, {Host}, ...</summary>
    public Dictionary<NotificationKind, string> Templates { get; set; } = new();

    public List<NotificationChannelDefinition> Channels { get; set; } = new();

    public NotificationDispatcherOptions ToDispatcherOptions() => new()
    {
        DuplicateWindow = TimeSpan.FromSeconds(DuplicateWindowSeconds),
        FlapWindow = TimeSpan.FromSeconds(FlapWindowSeconds),
        FlapThreshold = FlapThreshold,
        RetryInitialDelay = TimeSpan.FromSeconds(RetryInitialDelaySeconds),
        RetryMaxDelay = TimeSpan.FromSeconds(RetryMaxDelaySeconds),
        Templates = new NotificationTemplates(Templates),
    };

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(SpoolPath))
        {
            throw new NotificationConfigurationException("spoolPath is required.");
        }

        if (MaxPendingPerChannel < 1)
        {
            throw new NotificationConfigurationException("maxPendingPerChannel must be at least 1.");
        }

        if (DuplicateWindowSeconds < 0 || FlapWindowSeconds < 0 || FlapThreshold < 1)
        {
            throw new NotificationConfigurationException("duplicateWindowSeconds and flapWindowSeconds must not be negative, and flapThreshold must be at least 1.");
        }

        if (RetryInitialDelaySeconds <= 0 || RetryMaxDelaySeconds < RetryInitialDelaySeconds)
        {
            throw new NotificationConfigurationException("retryInitialDelaySeconds must be positive and no larger than retryMaxDelaySeconds.");
        }

        var duplicate = Channels.GroupBy(channel => channel.Name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new NotificationConfigurationException($"Two channels are named '{duplicate.Key}'; names identify spool folders and must be unique.");
        }

        foreach (var channel in Channels)
        {
            channel.Validate();
        }
    }
}
