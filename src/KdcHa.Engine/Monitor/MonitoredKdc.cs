using System;
using KdcHa.Kerberos.Health;

namespace KdcHa.Monitor;

/// <summary>One KDC the monitor probes: the node's own, or a peer's (peers are probed to know a failover has a target).</summary>
public sealed class MonitoredKdc
{
    public MonitoredKdc(string name, KdcProbeRequest request, bool isLocal)
    {
        Name = string.IsNullOrEmpty(name) ? throw new ArgumentException("A KDC name is required.", nameof(name)) : name;
        Request = request ?? throw new ArgumentNullException(nameof(request));
        IsLocal = isLocal;
    }

    public string Name { get; }

    public KdcProbeRequest Request { get; }

    public bool IsLocal { get; }
}
