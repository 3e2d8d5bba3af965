using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using KdcHa.Common;

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

/// <summary>Finds, reads and atomically rewrites the configuration file.</summary>
public static class NotificationConfigurationFile
{
    public const string DefaultPath = "/etc/kdcha/notification.json";
    public const string PathVariable = "KDCHA_NOTIFICATION_CONFIG";

    /// <summary>The explicit path, else $KDCHA_NOTIFICATION_CONFIG, else /etc/kdcha/notification.json.</summary>
    public static string Resolve(string? explicitPath) =>
        !string.IsNullOrEmpty(explicitPath) ? explicitPath!
        : Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : DefaultPath;

    public static NotificationConfiguration Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NotificationConfigurationException(
                $"The notification configuration {path} does not exist. Create it with New-KdcHaNotificationChannel -Register, or name another with -ConfigurationPath or ${PathVariable}.", e);
        }

        NotificationConfiguration configuration;
        try
        {
            configuration = NotificationJson.Deserialize<NotificationConfiguration>(json);
        }
        catch (JsonException e)
        {
            throw new NotificationConfigurationException($"The notification configuration {path} is not valid: {e.Message}", e);
        }

        configuration.Validate();
        return configuration;
    }

    /// <summary>The channel names of <paramref name="path"/>, for -Channel completion; nothing when it cannot be read.</summary>
    public static IReadOnlyList<CompletionCandidate> ChannelCandidates(string path) =>
        CompletionFile.Read(path, file => Load(file).Channels.Select(channel => new CompletionCandidate(channel.Name, $"{channel.Type} channel in {file}")));

    /// <summary>Writes to a temporary file, flushes it to disk and renames it over the old one, mode 0600.</summary>
    public static void Save(string path, NotificationConfiguration configuration)
    {
        configuration.Validate();
        var content = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(configuration, NotificationJson.IndentedOptions) + "\n");
        AtomicFile.Replace(path, content, durable: true, prepare: FilePermissions.RestrictToOwner);
    }
}

/// <summary>The one JSON dialect of the feature: spool files, the configuration file, command stdin, generic webhooks.</summary>
public static class NotificationJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions IndentedOptions { get; } = Create(indented: true);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("The document is the JSON literal null.");

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,

        // Accepts hand-written files and ConvertTo-Json output (PascalCase names, enum numbers) alike.
        PropertyNameCaseInsensitive = true,
        DictionaryKeyPolicy = null,
        WriteIndented = indented,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,

        // Bodies go to HTTP APIs and files, never into HTML, so non-ASCII text (alerts in Chinese for DingTalk,
        // WeCom and Feishu) stays readable in -WhatIf output and spool files instead of becoming \uXXXX.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };
}
