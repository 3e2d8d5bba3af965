using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using KdcHa.Common;

namespace KdcHa.Configuration;

/// <summary>
/// Reads a monitor configuration file, a psd1 or a JSON object of settings, as outside input: a regular file of at
/// most <see cref="MaxBytes"/>, JSON nested at most <see cref="MaxJsonDepth"/> deep, every key once. A real
/// configuration is a few hundred bytes; the caps keep a wrong path (/dev/zero, a log, a FIFO) or a hostile file from
/// costing more than a moment and a few megabytes.
/// </summary>
public static class MonitorConfigurationFile
{
    /// <summary>The largest configuration file read.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>How deep JSON may nest: settings are flat, a list is one level below them.</summary>
    public const int MaxJsonDepth = 8;

    /// <summary>The shipped systemd unit kdcha-monitor@NAME reads /etc/kdcha/NAME.psd1.</summary>
    public const string UnitDirectory = "/etc/kdcha";

    /// <summary>Colon-separated monitor configuration files that completers read instead of /etc/kdcha/*.psd1.</summary>
    public const string CompletionPathVariable = "KDCHA_MONITOR_CONFIG";

    /// <summary>
    /// The monitor configurations completers read: <paramref name="completionPathVariable"/>'s files
    /// (KDCHA_MONITOR_CONFIG), else the unit's /etc/kdcha/*.psd1; nothing when the directory cannot be listed.
    /// </summary>
    public static IReadOnlyList<string> CompletionFiles(string? completionPathVariable)
    {
        if (!string.IsNullOrEmpty(completionPathVariable))
        {
            return completionPathVariable.Split(':', StringSplitOptions.RemoveEmptyEntries);
        }

        try
        {
            return Directory.GetFiles(UnitDirectory, "*.psd1").Order(StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>
    /// LocalKdc and PeerKdc of the configurations, for -Kdc completion: with a <paramref name="realm"/>, only those of
    /// configurations that name that Realm or none. A file that cannot be read offers nothing.
    /// </summary>
    public static IReadOnlyList<CompletionCandidate> KdcCandidates(IEnumerable<string> files, string? realm, Func<string, string, IDictionary> readPowerShellData) =>
        files.SelectMany(file => CompletionFile.Read(file, path =>
        {
            var configuration = Bound(path, readPowerShellData);
            return realm is not null && configuration.Realm is { } named && !string.Equals(named, realm, StringComparison.OrdinalIgnoreCase)
                ? Enumerable.Empty<CompletionCandidate>()
                : configuration.PeerKdc.Select(kdc => new CompletionCandidate(kdc, $"PeerKdc in {path}"))
                    .Prepend(new CompletionCandidate(configuration.LocalKdc, $"LocalKdc in {path}"));
        })).ToList();

    /// <summary>The Realm of the configurations, for -Realm completion; a file that cannot be read offers nothing.</summary>
    public static IReadOnlyList<CompletionCandidate> RealmCandidates(IEnumerable<string> files, Func<string, string, IDictionary> readPowerShellData) =>
        files.SelectMany(file => CompletionFile.Read(file, path => Bound(path, readPowerShellData).Realm is { } realm
            ? new[] { new CompletionCandidate(realm, $"Realm in {path}") }
            : Enumerable.Empty<CompletionCandidate>())).ToList();

    /// <summary>
    /// Reads <paramref name="path"/>'s settings; a .psd1 file's text goes to <paramref name="readPowerShellData"/>
    /// (which must evaluate literals only, so a configuration cannot run code), any other is JSON.
    /// </summary>
    /// <exception cref="ConfigurationException">The file is not a regular file, too large, unreadable or not an object of settings; <see cref="ConfigurationException.Setting"/> is the path.</exception>
    public static IDictionary Read(string path, Func<string, IDictionary> readPowerShellData)
    {
        var content = ReadCapped(path);
        if (string.Equals(Path.GetExtension(path), ".psd1", StringComparison.OrdinalIgnoreCase))
        {
            using var reader = new StreamReader(new MemoryStream(content), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return readPowerShellData(reader.ReadToEnd());
        }

        return ReadJson(path, content);
    }

    private static byte[] ReadCapped(string path)
    {
        try
        {
            // A device, FIFO or socket has no size: opening a FIFO would wait for a writer, and /dev/zero never ends.
            var length = new FileInfo(path).Length;
            Refuse(length == 0, path, "is empty or not a regular file (a device, FIFO or socket)");
            Refuse(length > MaxBytes, path, $"is {length} bytes; a monitor configuration holds at most {MaxBytes}");

            // The file may grow after the check: at most one byte beyond the cap is read either way.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[MaxBytes + 1];
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = stream.Read(buffer, filled, buffer.Length - filled)) > 0)
            {
                filled += read;
            }

            Refuse(filled > MaxBytes, path, $"grew beyond {MaxBytes} bytes while it was read");
            return buffer.AsSpan(0, filled).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, $"{path} cannot be read: {e.Message}");
        }
    }

    private static IDictionary ReadJson(string path, byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
            Refuse(document.RootElement.ValueKind != JsonValueKind.Object, path, "must hold one JSON object of settings");
            var settings = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!settings.TryAdd(property.Name, ToValue(property.Value)))
                {
                    throw new ConfigurationException(property.Name, $"{property.Name} appears more than once (keys are compared ignoring case).");
                }
            }

            return settings;
        }
        catch (JsonException e)
        {
            throw new ConfigurationException(path, $"{path} is not valid JSON (at most {MaxJsonDepth} levels deep): {e.Message}");
        }
    }

    /// <summary>The settings of a file as the monitor binds them, not validated: a completer offers what it holds.</summary>
    private static MonitorConfiguration Bound(string path, Func<string, string, IDictionary> readPowerShellData)
    {
        var configuration = new MonitorConfiguration();
        configuration.ApplyFile(path, text => readPowerShellData(text, path), Array.Empty<string>());
        return configuration;
    }

    private static void Refuse(bool condition, string path, string problem)
    {
        if (condition)
        {
            throw new ConfigurationException(path, $"{path} {problem}.");
        }
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
