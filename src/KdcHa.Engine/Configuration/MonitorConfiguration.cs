using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Configuration;

/// <summary>
/// Settings of one node's monitor. Start-KdcHaMonitor's parameters set the properties directly; a psd1 or JSON file
/// binds through <see cref="Settings"/>. Defaults target sub-second failover on a LAN: a probe every 200 ms with a
/// 100 ms deadline (a local KDC answers in about a millisecond), two timeouts in a row to call a KDC down, three good
/// probes to re-admit it.
/// </summary>
public sealed class MonitorConfiguration
{
    public const string DefaultStateDirectory = "/run/kdcha";

    private static readonly char[] NotInInterfaceNames = { '/', ' ', '\0' };

    /// <summary>
    /// Every setting once, in validation order: its name (the property's, the cmdlet parameter's and the file key's),
    /// its type, how a file value binds to it, and what it must satisfy. A property without a row here is no setting
    /// (a test holds the properties, the rows and the cmdlet's parameters together).
    /// </summary>
    public static IReadOnlyList<MonitorSetting> Settings { get; } = new[]
    {
        MonitorSetting.Text(nameof(Node), (c, value) => c.Node = value, c => string.IsNullOrWhiteSpace(c.Node) ? "must not be empty" : null),
        MonitorSetting.Text(nameof(LocalKdc), (c, value) => c.LocalKdc = value, c => KdcProblem(c.LocalKdc)),
        MonitorSetting.List(nameof(PeerKdc), (c, value) => c.PeerKdc = value, c => c.PeerKdc.Count == 0
            ? "needs at least one peer KDC: a node only hands the VIP over when it can see a healthy peer"
            : c.PeerKdc.Select(KdcProblem).FirstOrDefault(problem => problem is not null)),
        MonitorSetting.Text(nameof(Realm), (c, value) => c.Realm = value, c => c.Realm is null && c.Principal?.Contains('@') != true
            ? "is required unless Principal has the form name@REALM"
            : null),
        MonitorSetting.Text(nameof(Principal), (c, value) => c.Principal = value),
        MonitorSetting.Text(nameof(Keytab), (c, value) => c.Keytab = value),
        MonitorSetting.Number(nameof(IntervalMilliseconds), (c, value) => c.IntervalMilliseconds = value, c => Between(c.IntervalMilliseconds, 20, 60000)),
        MonitorSetting.Number(nameof(TimeoutMilliseconds), (c, value) => c.TimeoutMilliseconds = value, c => Between(c.TimeoutMilliseconds, 10, 60000)
            ?? (c.TimeoutMilliseconds > c.IntervalMilliseconds
                ? $"({c.TimeoutMilliseconds}) must not exceed IntervalMilliseconds ({c.IntervalMilliseconds}), or probes would pile up"
                : null)),
        MonitorSetting.Number(nameof(Fall), (c, value) => c.Fall = value, c => Between(c.Fall, 1, 100)),
        MonitorSetting.Number(nameof(Rise), (c, value) => c.Rise = value, c => Between(c.Rise, 1, 100)),
        MonitorSetting.Text(nameof(StateDirectory), (c, value) => c.StateDirectory = value, c => Absolute(c.StateDirectory)),
        MonitorSetting.Text(nameof(NotifyFifo), (c, value) => c.NotifyFifo = value, c => c.NotifyFifo is null ? null : Absolute(c.NotifyFifo)),
        MonitorSetting.Text(nameof(VrrpInterface), (c, value) => c.VrrpInterface = value, c => c.VrrpInterface is null || IsInterfaceName(c.VrrpInterface)
            ? null
            : $"'{c.VrrpInterface}' is not an interface name"),
        MonitorSetting.List(nameof(NotificationChannel), (c, value) => c.NotificationChannel = value),
        MonitorSetting.Text(nameof(NotificationConfigurationPath), (c, value) => c.NotificationConfigurationPath = value),
    };

    public string Node { get; set; } = Environment.MachineName;

    public string LocalKdc { get; set; } = "127.0.0.1";

    public IReadOnlyList<string> PeerKdc { get; set; } = Array.Empty<string>();

    public string? Realm { get; set; }

    public string? Principal { get; set; }

    public string? Keytab { get; set; }

    public int IntervalMilliseconds { get; set; } = 200;

    public int TimeoutMilliseconds { get; set; } = 100;

    public int Fall { get; set; } = 2;

    public int Rise { get; set; } = 3;

    public string StateDirectory { get; set; } = DefaultStateDirectory;

    /// <summary>keepalived's notify FIFO; unset means the one New-KdcHaKeepalivedConfig names, in the state directory.</summary>
    public string? NotifyFifo { get; set; }

    /// <summary>The interface keepalived's instances use, where split brains are listened for; unset means no listening.</summary>
    public string? VrrpInterface { get; set; }

    /// <summary>Channels of the notification configuration that get the monitor's alerts; empty means no alerts.</summary>
    public IReadOnlyList<string> NotificationChannel { get; set; } = Array.Empty<string>();

    /// <summary>The notification configuration file; unset means Send-KdcHaNotification's resolution.</summary>
    public string? NotificationConfigurationPath { get; set; }

    public string FaultFile => Path.Combine(StateDirectory, "fault");

    public string HeartbeatFile => Path.Combine(StateDirectory, "heartbeat");

    public string StatusFile => Path.Combine(StateDirectory, "status.json");

    public string NotifyFifoPath => NotifyFifo ?? Path.Combine(StateDirectory, "notify.fifo");

    /// <summary>Reads a JSON object of settings, for <see cref="ApplyFile"/>.</summary>
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
    /// Binds a file's settings (keys are setting names, any case) except those in <paramref name="givenAsParameters"/>,
    /// which the cmdlet has already set and which win over the file. Every key must be a setting: a misspelt one is an
    /// error, not a silent default.
    /// </summary>
    /// <exception cref="ConfigurationException">An unknown key, or a value of the wrong type.</exception>
    public void ApplyFile(IDictionary fileSettings, IEnumerable<string> givenAsParameters)
    {
        var given = new HashSet<string>(givenAsParameters, StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in fileSettings)
        {
            var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
            var setting = Settings.FirstOrDefault(candidate => string.Equals(candidate.Name, key, StringComparison.OrdinalIgnoreCase))
                ?? throw new ConfigurationException(key, $"{key} is not a monitor setting; known settings: {string.Join(", ", Settings.Select(known => known.Name))}.");
            if (!given.Contains(setting.Name))
            {
                setting.Bind(this, entry.Value);
            }
        }
    }

    /// <exception cref="ConfigurationException">The first setting that is wrong, named, with what is allowed.</exception>
    public void Validate()
    {
        foreach (var setting in Settings)
        {
            setting.Validate(this);
        }
    }

    private static string? KdcProblem(string value) =>
        KdcEndpoint.TryParse(value, out _) ? null : $"'{value}' is not a KDC address: use host, host:port or [IPv6-address]:port";

    private static string? Between(int value, int minimum, int maximum) =>
        value >= minimum && value <= maximum ? null : $"must be between {minimum} and {maximum}";

    private static string? Absolute(string path) => Path.IsPathRooted(path) ? null : "must be an absolute path";

    private static bool IsInterfaceName(string name) =>
        name.Length <= 15 && name.IndexOfAny(NotInInterfaceNames) < 0 && name is not "." and not "..";

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

/// <summary>One row of <see cref="MonitorConfiguration.Settings"/>.</summary>
public sealed class MonitorSetting
{
    private readonly Action<MonitorConfiguration, object?> _bind;
    private readonly Func<MonitorConfiguration, string?> _problem;

    private MonitorSetting(string name, Type type, Action<MonitorConfiguration, object?> bind, Func<MonitorConfiguration, string?>? problem)
    {
        Name = name;
        Type = type;
        _bind = bind;
        _problem = problem ?? (_ => null);
    }

    /// <summary>The property, cmdlet parameter and file key.</summary>
    public string Name { get; }

    /// <summary>The property's type: string, int, or a list of strings (a string[] parameter).</summary>
    public Type Type { get; }

    internal static MonitorSetting Text(string name, Action<MonitorConfiguration, string> set, Func<MonitorConfiguration, string?>? problem = null) =>
        new(name, typeof(string), (configuration, value) =>
        {
            ConfigurationException.ThrowUnless(value is string { Length: > 0 }, name, "must be a non-empty string");
            set(configuration, (string)value!);
        }, problem);

    internal static MonitorSetting Number(string name, Action<MonitorConfiguration, int> set, Func<MonitorConfiguration, string?> problem) =>
        new(name, typeof(int), (configuration, value) =>
        {
            var isWhole = value is int or long or short or byte || (value is double d && Math.Floor(d) == d);
            ConfigurationException.ThrowUnless(isWhole, name, "must be a whole number");
            set(configuration, Convert.ToInt32(value, CultureInfo.InvariantCulture));
        }, problem);

    internal static MonitorSetting List(string name, Action<MonitorConfiguration, IReadOnlyList<string>> set, Func<MonitorConfiguration, string?>? problem = null) =>
        new(name, typeof(IReadOnlyList<string>), (configuration, value) =>
        {
            var items = value is string single ? new object?[] { single } : (value as IEnumerable)?.Cast<object?>().ToArray();
            ConfigurationException.ThrowUnless(items is not null && items.All(item => item is string { Length: > 0 }), name, "must be a string or a list of strings");
            set(configuration, items!.Cast<string>().ToArray());
        }, problem);

    /// <summary>Sets the setting from a file's value.</summary>
    /// <exception cref="ConfigurationException">The value is of the wrong type.</exception>
    internal void Bind(MonitorConfiguration configuration, object? fileValue) => _bind(configuration, fileValue);

    /// <exception cref="ConfigurationException">The setting's value, as <paramref name="configuration"/> holds it, is wrong.</exception>
    internal void Validate(MonitorConfiguration configuration)
    {
        if (_problem(configuration) is { } problem)
        {
            throw new ConfigurationException(Name, $"{Name} {problem}.");
        }
    }
}
