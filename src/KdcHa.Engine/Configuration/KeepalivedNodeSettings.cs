using System;
using System.Collections.Generic;

namespace KdcHa.Configuration;

/// <summary>What <see cref="KeepalivedConfigWriter"/> needs to write one node's keepalived.conf.</summary>
public sealed class KeepalivedNodeSettings
{
    public string RouterId { get; set; } = Environment.MachineName;

    public string InstanceName { get; set; } = "KDC_VIP";

    public string Interface { get; set; } = string.Empty;

    public int VirtualRouterId { get; set; } = 51;

    public int Priority { get; set; } = 100;

    public IReadOnlyList<string> VirtualAddress { get; set; } = Array.Empty<string>();

    public int VrrpVersion { get; set; } = 3;

    public decimal AdvertIntervalSeconds { get; set; } = 0.1m;

    public string? UnicastSourceAddress { get; set; }

    public IReadOnlyList<string> UnicastPeer { get; set; } = Array.Empty<string>();

    public string? AuthenticationPassword { get; set; }

    public bool NoPreempt { get; set; }

    public string StateDirectory { get; set; } = MonitorConfiguration.DefaultStateDirectory;

    public string NotifyFifo { get; set; } = MonitorConfiguration.DefaultStateDirectory + "/notify.fifo";

    /// <summary>Subtracted from the priority while the monitor's heartbeat is stale; must exceed every priority gap in the group.</summary>
    public int MonitorWeight { get; set; } = 150;

    public int HeartbeatStaleMilliseconds { get; set; } = 1000;
}
