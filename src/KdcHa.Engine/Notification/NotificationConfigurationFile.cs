using System;
using System.IO;
using System.Text;
using System.Text.Json;
using KdcHa.Common;

namespace KdcHa.Notification;

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

    /// <summary>Writes to a temporary file, flushes it to disk and renames it over the old one, mode 0600.</summary>
    public static void Save(string path, NotificationConfiguration configuration)
    {
        configuration.Validate();
        var content = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(configuration, NotificationJson.IndentedOptions) + "\n");
        AtomicFile.Replace(path, content, durable: true, prepare: FilePermissions.RestrictToOwner);
    }
}
