using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace KdcHa.Configuration;

/// <summary>
/// Fills a <see cref="MonitorConfiguration"/> from key/value settings: a JSON file, a psd1 hashtable (parsed by the
/// cmdlet, which has PowerShell at hand) or the cmdlet's bound parameters. Keys are the property names, any case.
/// </summary>
public static class MonitorConfigurationReader
{
    private static readonly string[] Settings =
    {
        nameof(MonitorConfiguration.Node), nameof(MonitorConfiguration.LocalKdc), nameof(MonitorConfiguration.PeerKdc),
        nameof(MonitorConfiguration.Realm), nameof(MonitorConfiguration.Principal), nameof(MonitorConfiguration.Keytab),
        nameof(MonitorConfiguration.IntervalMilliseconds), nameof(MonitorConfiguration.TimeoutMilliseconds),
        nameof(MonitorConfiguration.Fall), nameof(MonitorConfiguration.Rise), nameof(MonitorConfiguration.StateDirectory),
        nameof(MonitorConfiguration.NotifyFifo), nameof(MonitorConfiguration.VrrpInterface), nameof(MonitorConfiguration.NotificationChannel),
        nameof(MonitorConfiguration.NotificationConfigurationPath),
    };

    /// <summary>Reads a JSON object of settings.</summary>
    /// <exception cref="ConfigurationException">The file is not a JSON object.</exception>
    public static IDictionary ReadJson(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            ConfigurationException.ThrowUnless(document.RootElement.ValueKind == JsonValueKind.Object, path, "must hold one JSON object of settings");
            return document.RootElement.EnumerateObject().ToDictionary(property => property.Name, property => ToValue(property.Value));
        }
        catch (JsonException e)
        {
            throw new ConfigurationException(path, $"{path} is not valid JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Copies known settings into <paramref name="configuration"/>. A file (<paramref name="ignoreUnknown"/> false)
    /// must not hold unknown keys, so a misspelt setting is an error instead of a silent default.
    /// </summary>
    /// <exception cref="ConfigurationException">An unknown key, or a value of the wrong type.</exception>
    public static void Apply(IDictionary settings, MonitorConfiguration configuration, bool ignoreUnknown = false)
    {
        foreach (DictionaryEntry entry in settings)
        {
            var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
            var setting = Settings.FirstOrDefault(name => string.Equals(name, key, StringComparison.OrdinalIgnoreCase));
            if (setting is null)
            {
                ConfigurationException.ThrowUnless(ignoreUnknown, key, $"is not a monitor setting; known settings: {string.Join(", ", Settings)}");
                continue;
            }

            Set(configuration, setting, entry.Value);
        }
    }

    private static void Set(MonitorConfiguration configuration, string setting, object? value)
    {
        switch (setting)
        {
            case nameof(MonitorConfiguration.Node): configuration.Node = Text(setting, value); break;
            case nameof(MonitorConfiguration.LocalKdc): configuration.LocalKdc = Text(setting, value); break;
            case nameof(MonitorConfiguration.PeerKdc): configuration.PeerKdc = List(setting, value); break;
            case nameof(MonitorConfiguration.Realm): configuration.Realm = Text(setting, value); break;
            case nameof(MonitorConfiguration.Principal): configuration.Principal = Text(setting, value); break;
            case nameof(MonitorConfiguration.Keytab): configuration.Keytab = Text(setting, value); break;
            case nameof(MonitorConfiguration.IntervalMilliseconds): configuration.IntervalMilliseconds = Number(setting, value); break;
            case nameof(MonitorConfiguration.TimeoutMilliseconds): configuration.TimeoutMilliseconds = Number(setting, value); break;
            case nameof(MonitorConfiguration.Fall): configuration.Fall = Number(setting, value); break;
            case nameof(MonitorConfiguration.Rise): configuration.Rise = Number(setting, value); break;
            case nameof(MonitorConfiguration.NotifyFifo): configuration.NotifyFifo = Text(setting, value); break;
            case nameof(MonitorConfiguration.VrrpInterface): configuration.VrrpInterface = Text(setting, value); break;
            case nameof(MonitorConfiguration.NotificationChannel): configuration.NotificationChannel = List(setting, value); break;
            case nameof(MonitorConfiguration.NotificationConfigurationPath): configuration.NotificationConfigurationPath = Text(setting, value); break;
            default: configuration.StateDirectory = Text(setting, value); break;
        }
    }

    private static string Text(string setting, object? value)
    {
        ConfigurationException.ThrowUnless(value is string { Length: > 0 }, setting, "must be a non-empty string");
        return (string)value!;
    }

    private static int Number(string setting, object? value)
    {
        var isWhole = value is int or long or short or byte || (value is double d && Math.Floor(d) == d);
        ConfigurationException.ThrowUnless(isWhole, setting, "must be a whole number");
        return Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    private static IReadOnlyList<string> List(string setting, object? value)
    {
        var items = value is string single ? new object?[] { single } : (value as IEnumerable)?.Cast<object?>().ToArray();
        ConfigurationException.ThrowUnless(items is not null && items.All(item => item is string { Length: > 0 }), setting, "must be a string or a list of strings");
        return items!.Cast<string>().ToArray();
    }

    private static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToArray(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
