using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
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

    /// <summary>The metrics endpoint's port when MetricsAddress names only an address (Get-KdcHaStatus asks it by default).</summary>
    public const int DefaultMetricsPort = 9464;

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
        MonitorSetting.Number(nameof(IntervalMilliseconds), (c, value) => c.IntervalMilliseconds = value, 20, 60000),
        MonitorSetting.Number(nameof(TimeoutMilliseconds), (c, value) => c.TimeoutMilliseconds = value, 10, 60000, c => c.TimeoutMilliseconds > c.IntervalMilliseconds
            ? $"({c.TimeoutMilliseconds}) must not exceed IntervalMilliseconds ({c.IntervalMilliseconds}), or probes would pile up"
            : null),
        MonitorSetting.Number(nameof(MinimumTimeoutMilliseconds), (c, value) => c.MinimumTimeoutMilliseconds = value, 1, 60000, c => c.MinimumTimeoutMilliseconds > c.TimeoutMilliseconds
            ? $"({c.MinimumTimeoutMilliseconds}) must not exceed TimeoutMilliseconds ({c.TimeoutMilliseconds})"
            : null),
        MonitorSetting.Number(nameof(Fall), (c, value) => c.Fall = value, 1, 100),
        MonitorSetting.Number(nameof(Rise), (c, value) => c.Rise = value, 1, 100),
        MonitorSetting.Text(nameof(KdcProcessName), (c, value) => c.KdcProcessName = value, c => c.KdcProcessName.Length > 15 || c.KdcProcessName.Contains('/')
            ? "must be a process name as /proc/<pid>/comm shows it (at most 15 characters, no '/')"
            : null),
        MonitorSetting.Number(nameof(RestartGraceMilliseconds), (c, value) => c.RestartGraceMilliseconds = value, 0, 1000),
        MonitorSetting.Number(nameof(BusyTimeoutMilliseconds), (c, value) => c.BusyTimeoutMilliseconds = value, 0, 900),
        MonitorSetting.Number(nameof(AuthenticatedIntervalMilliseconds), (c, value) => c.AuthenticatedIntervalMilliseconds = value, 0, 3600000),
        MonitorSetting.Flag(nameof(DropWhileKdcDown), (c, value) => c.DropWhileKdcDown = value),
        MonitorSetting.Text(nameof(StateDirectory), (c, value) => c.StateDirectory = value, c => Absolute(c.StateDirectory)),
        MonitorSetting.Text(nameof(NotifyFifo), (c, value) => c.NotifyFifo = value, c => c.NotifyFifo is null ? null : Absolute(c.NotifyFifo)),
        MonitorSetting.Text(nameof(VrrpInterface), (c, value) => c.VrrpInterface = value, c => c.VrrpInterface is null || IsInterfaceName(c.VrrpInterface)
            ? null
            : $"'{c.VrrpInterface}' is not an interface name"),
        MonitorSetting.Text(nameof(KeepalivedPidFile), (c, value) => c.KeepalivedPidFile = value, c => Absolute(c.KeepalivedPidFile)),
        MonitorSetting.List(nameof(NotificationChannel), (c, value) => c.NotificationChannel = value),
        MonitorSetting.Text(nameof(NotificationConfigurationPath), (c, value) => c.NotificationConfigurationPath = value),
        MonitorSetting.Text(nameof(AgentCheckAddress), (c, value) => c.AgentCheckAddress = value, c => c.AgentCheckAddress is null || TryParseListenAddress(c.AgentCheckAddress, out _)
            ? null
            : $"'{c.AgentCheckAddress}' is not a port or an address:port to listen on (8788, 0.0.0.0:8788, [::]:8788)"),
        MonitorSetting.Text(nameof(MetricsAddress), (c, value) => c.MetricsAddress = value, c => c.MetricsAddress is null || TryParseMetricsAddress(c.MetricsAddress, out _)
            ? null
            : $"'{c.MetricsAddress}' is not a port, an address or an address:port to serve metrics on (9464, 10.0.0.11, 0.0.0.0:9464, [::]:9464)"),
        MonitorSetting.Text(nameof(LocalFrontend), (c, value) => c.LocalFrontend = value, c => c.LocalFrontend is null
            ? (c.PeerFrontend.Count == 0 ? null : "is required with PeerFrontend: the frontend of this node's own HAProxy")
            : KdcProblem(c.LocalFrontend)),
        MonitorSetting.List(nameof(PeerFrontend), (c, value) => c.PeerFrontend = value, c => c.LocalFrontend is not null && c.PeerFrontend.Count == 0
            ? "needs at least one peer frontend with LocalFrontend: a node only hands the VIP over when a peer's HAProxy answers"
            : c.PeerFrontend.Select(KdcProblem).FirstOrDefault(problem => problem is not null)),
    };

    public string Node { get; set; } = Environment.MachineName;

    public string LocalKdc { get; set; } = "127.0.0.1";

    public IReadOnlyList<string> PeerKdc { get; set; } = Array.Empty<string>();

    public string? Realm { get; set; }

    public string? Principal { get; set; }

    public string? Keytab { get; set; }

    public int IntervalMilliseconds { get; set; } = 200;

    public int TimeoutMilliseconds { get; set; } = 100;

    /// <summary>
    /// The least the local KDC's probe deadline adapts down to (four times its slowest recent healthy answer, at most
    /// <see cref="TimeoutMilliseconds"/>), while its process is watched for the busy check; equal to
    /// TimeoutMilliseconds, the deadline does not adapt.
    /// </summary>
    public int MinimumTimeoutMilliseconds { get; set; } = 20;

    public int Fall { get; set; } = 2;

    public int Rise { get; set; } = 3;

    /// <summary>The local KDC's process name (/proc/&lt;pid&gt;/comm): a refused probe with no such process is a crash.</summary>
    public string KdcProcessName { get; set; } = "krb5kdc";

    /// <summary>
    /// How long a refused local KDC whose process still runs (a restart) gets before one more probe decides; 0 makes
    /// every refused probe final at once.
    /// </summary>
    public int RestartGraceMilliseconds { get; set; } = 100;

    /// <summary>
    /// The deadline of the one more probe a local KDC gets when it used CPU while its confirming probe timed out (busy,
    /// not hung); 0 gives none. Below keepalived's 1 s heartbeat staleness and MIT's 1 s first retransmission: a KDC
    /// that answers within it serves clients without a failed login.
    /// </summary>
    public int BusyTimeoutMilliseconds { get; set; } = 500;

    /// <summary>
    /// How often an Authenticated probe proves a KDC's keys; the rounds between probe at Reachable with the same
    /// principal. On MIT every successful pre-authenticated exchange writes the principal's last-success time (an
    /// fsync under the db2 lock, an LDAP modify replicated everywhere), while PREAUTH_REQUIRED writes nothing; a
    /// Reachable probe still proves the KDC answers from its database. 0 authenticates on every round.
    /// </summary>
    public int AuthenticatedIntervalMilliseconds { get; set; } = 10000;

    /// <summary>
    /// Whether, while the monitor runs, packets to the KDC port (LocalKdc's) that no socket would receive are dropped
    /// instead of refused (an nftables table the monitor owns, deleted with it): MIT's
    /// client gives up at once on a refusal but sends again after 1 s when nothing answers, by which time the VIP
    /// has moved or the restarted KDC listens. Needs CAP_NET_ADMIN; without it the monitor says so and runs on.
    /// </summary>
    public bool DropWhileKdcDown { get; set; } = true;

    public string StateDirectory { get; set; } = DefaultStateDirectory;

    /// <summary>keepalived's notify FIFO; unset means the one New-KdcHaKeepalivedConfig names, in the state directory.</summary>
    public string? NotifyFifo { get; set; }

    /// <summary>The interface keepalived's instances use, where split brains are listened for; unset means no listening.</summary>
    public string? VrrpInterface { get; set; }

    /// <summary>
    /// keepalived's pid file (its -p; keepalived's own default here). With <see cref="VrrpInterface"/>, a VIP left on
    /// this node while no keepalived runs there and a peer advertises as its master is released.
    /// </summary>
    public string KeepalivedPidFile { get; set; } = "/run/keepalived.pid";

    /// <summary>Channels of the notification configuration that get the monitor's alerts; empty means no alerts.</summary>
    public IReadOnlyList<string> NotificationChannel { get; set; } = Array.Empty<string>();

    /// <summary>The notification configuration file; unset means Send-KdcHaNotification's resolution.</summary>
    public string? NotificationConfigurationPath { get; set; }

    /// <summary>
    /// Where the monitor answers HAProxy's agent check: an address:port, or a port alone for loopback; unset means no
    /// answering. HAProxy on another host needs this host's address (or 0.0.0.0) here.
    /// </summary>
    public string? AgentCheckAddress { get; set; }

    /// <summary>
    /// On an HAProxy node: the local HAProxy frontend (host or host:port, over TCP), probed with the same AS exchange as
    /// the KDCs. When it fails while a <see cref="PeerFrontend"/> answers, the node faults and gives up the VIP. Unset
    /// means the node runs no HAProxy.
    /// </summary>
    public string? LocalFrontend { get; set; }

    /// <summary>The other HAProxy nodes' frontends, probed to know that handing the VIP over has a target.</summary>
    public IReadOnlyList<string> PeerFrontend { get; set; } = Array.Empty<string>();

    /// <summary><see cref="AgentCheckAddress"/> as a socket address; null when unset or not valid.</summary>
    public IPEndPoint? AgentCheckEndPoint => AgentCheckAddress is { } text && TryParseListenAddress(text, out var endPoint) ? endPoint : null;

    /// <summary>
    /// Where the monitor serves /metrics and /status over HTTP: a port alone on loopback, an address alone on port
    /// 9464, or an address:port; unset means no endpoint. Prometheus on another host needs this host's address here.
    /// </summary>
    public string? MetricsAddress { get; set; }

    /// <summary><see cref="MetricsAddress"/> as a socket address; null when unset or not valid.</summary>
    public IPEndPoint? MetricsEndPoint => MetricsAddress is { } text && TryParseMetricsAddress(text, out var endPoint) ? endPoint : null;

    public string FaultFile => Path.Combine(StateDirectory, "fault");

    public string HeartbeatFile => Path.Combine(StateDirectory, "heartbeat");

    public string StatusFile => Path.Combine(StateDirectory, "status.json");

    public string NotifyFifoPath => NotifyFifo ?? Path.Combine(StateDirectory, "notify.fifo");

    /// <summary>
    /// Reads <paramref name="path"/> (see <see cref="MonitorConfigurationFile"/>) and binds its settings as
    /// <see cref="ApplyFile(IDictionary, IEnumerable{string})"/> does.
    /// </summary>
    /// <exception cref="ConfigurationException">Whatever is wrong with the file or a key in it, with the file named.</exception>
    public void ApplyFile(string path, Func<string, IDictionary> readPowerShellData, IEnumerable<string> givenAsParameters)
    {
        try
        {
            ApplyFile(MonitorConfigurationFile.Read(path, readPowerShellData), givenAsParameters);
        }
        catch (ConfigurationException e) when (e.Setting != path)
        {
            throw new ConfigurationException(e.Setting, $"The monitor configuration {path}: {e.Message}");
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

    private static bool TryParseListenAddress(string text, out IPEndPoint? endPoint)
    {
        // A port alone is loopback: answering beyond this host is a choice the operator makes by naming an address.
        // Checked before IPEndPoint, which would read "8788" as the address 0.0.34.84.
        if (text.All(char.IsAsciiDigit))
        {
            endPoint = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
                ? new IPEndPoint(IPAddress.Loopback, port)
                : null;
            return endPoint is not null;
        }

        return IPEndPoint.TryParse(text, out endPoint) && endPoint.Port != 0 && text.Contains(':') && (endPoint.AddressFamily == AddressFamily.InterNetwork || text.StartsWith('['));
    }

    private static bool TryParseMetricsAddress(string text, out IPEndPoint? endPoint)
    {
        // An address alone (10.0.0.11, ::1, [::1]) gets the default port; a port alone or an address:port reads as
        // for the agent check.
        var bracketed = text.StartsWith('[') && text.EndsWith(']');
        var bare = bracketed ? text[1..^1] : text;
        if (!text.All(char.IsAsciiDigit) && (bracketed || !text.StartsWith('[')) && IPAddress.TryParse(bare, out var address)
            && (address.AddressFamily == AddressFamily.InterNetworkV6 || !text.Contains(':')))
        {
            endPoint = new IPEndPoint(address, DefaultMetricsPort);
            return true;
        }

        return TryParseListenAddress(text, out endPoint);
    }

    private static string? Absolute(string path) => Path.IsPathRooted(path) ? null : "must be an absolute path";

    private static bool IsInterfaceName(string name) =>
        name.Length <= 15 && name.IndexOfAny(NotInInterfaceNames) < 0 && name is not "." and not "..";
}

/// <summary>One row of <see cref="MonitorConfiguration.Settings"/>.</summary>
public sealed class MonitorSetting
{
    /// <summary>The longest text setting: names, addresses and paths are far shorter, and a probe's request must fit a datagram.</summary>
    public const int MaxTextLength = 1024;

    /// <summary>The most entries of a list setting: every peer KDC is probed every round.</summary>
    public const int MaxListLength = 64;

    private readonly Action<MonitorConfiguration, object?> _bind;
    private readonly Func<MonitorConfiguration, string?> _problem;
    private readonly PropertyInfo _property;
    private readonly (int Minimum, int Maximum)? _range;

    private MonitorSetting(string name, Type type, Action<MonitorConfiguration, object?> bind, Func<MonitorConfiguration, string?>? problem, (int, int)? range = null)
    {
        Name = name;
        Type = type;
        _bind = bind;
        _problem = problem ?? (_ => null);
        _property = typeof(MonitorConfiguration).GetProperty(name) ?? throw new ArgumentException($"{name} is no property of the configuration.", nameof(name));
        _range = range;
    }

    /// <summary>The property, cmdlet parameter and file key.</summary>
    public string Name { get; }

    /// <summary>The property's type: string, int, bool (a switch parameter), or a list of strings (a string[] parameter).</summary>
    public Type Type { get; }

    internal static MonitorSetting Text(string name, Action<MonitorConfiguration, string> set, Func<MonitorConfiguration, string?>? problem = null) =>
        new(name, typeof(string), (configuration, value) =>
        {
            ConfigurationException.ThrowUnless(value is string { Length: > 0 }, name, "must be a non-empty string");
            set(configuration, (string)value!);
        }, problem);

    internal static MonitorSetting Number(string name, Action<MonitorConfiguration, int> set, int minimum, int maximum, Func<MonitorConfiguration, string?>? problem = null) =>
        new(name, typeof(int), (configuration, value) =>
        {
            // Compared as a double before it becomes an int, so 99999999999 or 1e300 is out of range, not an overflow;
            // a value within int's range is checked against the setting's range by Validate, as a parameter is.
            var number = value is int or long or short or byte or double or float or decimal ? Convert.ToDouble(value, CultureInfo.InvariantCulture) : double.NaN;
            ConfigurationException.ThrowUnless(Math.Floor(number) == number, name, "must be a whole number");
            ConfigurationException.ThrowUnless(number >= int.MinValue && number <= int.MaxValue, name, $"({number.ToString(CultureInfo.InvariantCulture)}) must be between {minimum} and {maximum}");
            set(configuration, (int)number);
        }, problem, (minimum, maximum));

    internal static MonitorSetting Flag(string name, Action<MonitorConfiguration, bool> set) =>
        new(name, typeof(bool), (configuration, value) =>
        {
            ConfigurationException.ThrowUnless(value is bool, name, "must be $true or $false");
            set(configuration, (bool)value!);
        }, null);

    internal static MonitorSetting List(string name, Action<MonitorConfiguration, IReadOnlyList<string>> set, Func<MonitorConfiguration, string?>? problem = null) =>
        new(name, typeof(IReadOnlyList<string>), (configuration, value) =>
        {
            var items = value is string single ? new object?[] { single } : (value as IEnumerable)?.Cast<object?>().Take(MaxListLength + 1).ToArray();
            ConfigurationException.ThrowUnless(items is not null && items.All(item => item is string { Length: > 0 }), name, "must be a string or a list of strings");
            set(configuration, items!.Cast<string>().ToArray());
        }, problem);

    /// <summary>Sets the setting from a file's value.</summary>
    /// <exception cref="ConfigurationException">The value is of the wrong type or beyond the setting's bounds.</exception>
    internal void Bind(MonitorConfiguration configuration, object? fileValue)
    {
        _bind(configuration, fileValue);
        ThrowIf(Bounds(_property.GetValue(configuration)));
    }

    /// <exception cref="ConfigurationException">The setting's value, as <paramref name="configuration"/> holds it, is wrong.</exception>
    internal void Validate(MonitorConfiguration configuration)
    {
        var value = _property.GetValue(configuration);
        ThrowIf(Bounds(value) ?? OutOfRange(value) ?? _problem(configuration));
    }

    // Checked as soon as a file's value binds, so a file with 100,000 peers fails at once, naming the key.
    private static string? Bounds(object? value) => value switch
    {
        string { Length: > MaxTextLength } text => $"must be at most {MaxTextLength} characters long (it is {text.Length})",
        IReadOnlyList<string> { Count: > MaxListLength } => $"may hold at most {MaxListLength} entries",
        IReadOnlyList<string> list when list.FirstOrDefault(item => item.Length > MaxTextLength) is { } item => $"entries must be at most {MaxTextLength} characters long (one is {item.Length})",
        _ => null,
    };

    private string? OutOfRange(object? value) =>
        value is int number && _range is { } range && (number < range.Minimum || number > range.Maximum)
            ? $"must be between {range.Minimum} and {range.Maximum}"
            : null;

    private void ThrowIf(string? problem)
    {
        if (problem is not null)
        {
            throw new ConfigurationException(Name, $"{Name} {problem}.");
        }
    }
}
