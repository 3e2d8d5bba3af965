using System;
using System.Collections.Generic;
using System.IO;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Configuration;

/// <summary>
/// Settings of one node's monitor, from cmdlet parameters or a psd1/JSON file. Defaults target sub-second failover
/// on a LAN: a probe every 200 ms with a 100 ms deadline (a local KDC answers in about a millisecond), two
/// timeouts in a row to call a KDC down, three good probes to re-admit it.
/// </summary>
public sealed class MonitorConfiguration
{
    public const string DefaultStateDirectory = "/run/kdcha";

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

    public string FaultFile => Path.Combine(StateDirectory, "fault");

    public string HeartbeatFile => Path.Combine(StateDirectory, "heartbeat");

    public string StatusFile => Path.Combine(StateDirectory, "status.json");

    /// <summary>keepalived's notify FIFO; unset means the one New-KdcHaKeepalivedConfig names, in the state directory.</summary>
    public string? NotifyFifo { get; set; }

    public string NotifyFifoPath => NotifyFifo ?? Path.Combine(StateDirectory, "notify.fifo");

    /// <summary>The interface keepalived's instances use, where split brains are listened for; unset means no listening.</summary>
    public string? VrrpInterface { get; set; }

    /// <summary>Channels of the notification configuration that get the monitor's alerts; empty means no alerts.</summary>
    public IReadOnlyList<string> NotificationChannel { get; set; } = Array.Empty<string>();

    /// <summary>The notification configuration file; unset means Send-KdcHaNotification's resolution.</summary>
    public string? NotificationConfigurationPath { get; set; }

    /// <exception cref="ConfigurationException">The first setting that is wrong, named, with what is allowed.</exception>
    public void Validate()
    {
        ConfigurationException.ThrowUnless(!string.IsNullOrWhiteSpace(Node), nameof(Node), "must not be empty");
        RequireKdc(nameof(LocalKdc), LocalKdc);
        ConfigurationException.ThrowUnless(PeerKdc.Count > 0, nameof(PeerKdc),
            "needs at least one peer KDC: a node only hands the VIP over when it can see a healthy peer");
        foreach (var peer in PeerKdc)
        {
            RequireKdc(nameof(PeerKdc), peer);
        }

        ConfigurationException.ThrowUnless(Realm is not null || Principal?.Contains("@") == true, nameof(Realm), "is required unless Principal has the form name@REALM");
        ConfigurationException.ThrowUnless(IntervalMilliseconds is >= 20 and <= 60000, nameof(IntervalMilliseconds), "must be between 20 and 60000");
        ConfigurationException.ThrowUnless(TimeoutMilliseconds is >= 10 and <= 60000, nameof(TimeoutMilliseconds), "must be between 10 and 60000");
        ConfigurationException.ThrowUnless(TimeoutMilliseconds <= IntervalMilliseconds, nameof(TimeoutMilliseconds),
            $"({TimeoutMilliseconds}) must not exceed IntervalMilliseconds ({IntervalMilliseconds}), or probes would pile up");
        ConfigurationException.ThrowUnless(Fall is >= 1 and <= 100, nameof(Fall), "must be between 1 and 100");
        ConfigurationException.ThrowUnless(Rise is >= 1 and <= 100, nameof(Rise), "must be between 1 and 100");
        ConfigurationException.ThrowUnless(Path.IsPathRooted(StateDirectory), nameof(StateDirectory), "must be an absolute path");
        ConfigurationException.ThrowUnless(NotifyFifo is null || Path.IsPathRooted(NotifyFifo), nameof(NotifyFifo), "must be an absolute path");
        ConfigurationException.ThrowUnless(VrrpInterface is null || (VrrpInterface.Length <= 15 && VrrpInterface.IndexOfAny(new[] { '/', ' ', '\0' }) < 0 && VrrpInterface is not "." and not ".."),
            nameof(VrrpInterface), $"'{VrrpInterface}' is not an interface name");
    }

    private static void RequireKdc(string setting, string value) =>
        ConfigurationException.ThrowUnless(KdcEndpoint.TryParse(value, out _), setting, $"'{value}' is not a KDC address: use host, host:port or [IPv6-address]:port");
}
