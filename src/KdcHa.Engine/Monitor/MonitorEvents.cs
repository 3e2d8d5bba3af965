using System;
using System.Collections.Generic;
using System.Globalization;
using KdcHa.Kerberos.Health;
using KdcHa.Vrrp;

namespace KdcHa.Monitor;

public enum MonitorEventSeverity
{
    Information,
    Warning,
    Critical,
}

/// <summary>
/// Something the monitor saw or did. Written to the pipeline and to notification channels. Engine code reads the
/// typed values (internal); the public properties carry their names, so the objects convert to JSON with names
/// (ConvertTo-Json, Ansible) and stay the same JSON as ever.
/// </summary>
public abstract class MonitorEvent
{
    protected MonitorEvent(string node, DateTime timestamp, MonitorEventSeverity severity, string message)
    {
        Node = node;
        Timestamp = timestamp;
        Level = severity;
        Message = message;
    }

    /// <summary>The event's kind, such as HealthChanged: what notification routing and log filters key on.</summary>
    public abstract string EventType { get; }

    public string Node { get; }

    public DateTime Timestamp { get; }

    /// <summary>Information, Warning or Critical.</summary>
    public string Severity => Level.ToString();

    public string Message { get; }

    internal MonitorEventSeverity Level { get; }
}

public sealed class MonitorStartedEvent : MonitorEvent
{
    public MonitorStartedEvent(string node, DateTime timestamp, int processId, IReadOnlyList<string> kdcs, int intervalMilliseconds)
        : base(node, timestamp, MonitorEventSeverity.Information,
            $"Monitoring {string.Join(", ", kdcs)} every {intervalMilliseconds} ms (pid {processId}).")
    {
        ProcessId = processId;
        Kdcs = kdcs;
        IntervalMilliseconds = intervalMilliseconds;
    }

    public override string EventType => "MonitorStarted";

    public int ProcessId { get; }

    public IReadOnlyList<string> Kdcs { get; }

    public int IntervalMilliseconds { get; }
}

public sealed class MonitorStoppedEvent : MonitorEvent
{
    public MonitorStoppedEvent(string node, DateTime timestamp, string reason, bool faultLeftSet)
        : base(node, timestamp, MonitorEventSeverity.Warning,
            $"Stopped: {reason} Fault flag left {(faultLeftSet ? "set (the local KDC is down)" : "clear")}; heartbeat withdrawn, so a supervised peer takes the VIP.")
    {
        Reason = reason;
        FaultLeftSet = faultLeftSet;
    }

    public override string EventType => "MonitorStopped";

    public string Reason { get; }

    public bool FaultLeftSet { get; }
}

public sealed class HealthChangedEvent : MonitorEvent
{
    // cause: what the monitor found beside the probe, such as the local KDC's process having exited.
    public HealthChangedEvent(string node, DateTime timestamp, string kdc, bool isLocal, KdcHealthState previousState, KdcHealthState state, KdcHealthResult lastProbe, string? cause = null)
        : base(node, timestamp, state == KdcHealthState.Down ? MonitorEventSeverity.Warning : MonitorEventSeverity.Information,
            $"{(isLocal ? "Local" : "Peer")} KDC {kdc} is {state} (was {previousState}): {lastProbe.Status}, {lastProbe.RoundTripMilliseconds:0.#} ms. {lastProbe.Message}{(cause is null ? string.Empty : " " + cause)}")
    {
        Cause = cause;
        Kdc = kdc;
        IsLocal = isLocal;
        PreviousHealth = previousState;
        Health = state;
        ProbeStatus = lastProbe.Status;
        RoundTripMilliseconds = lastProbe.RoundTripMilliseconds;
    }

    public override string EventType => "HealthChanged";

    /// <summary>Why, beyond the probe: e.g. that the local KDC's process exited (a crash, not a restart); null when nothing more is known.</summary>
    public string? Cause { get; }

    public string Kdc { get; }

    public bool IsLocal { get; }

    public string PreviousState => PreviousHealth.ToString();

    public string State => Health.ToString();

    public string ProbeStatus { get; }

    public double RoundTripMilliseconds { get; }

    internal KdcHealthState PreviousHealth { get; }

    internal KdcHealthState Health { get; }
}

/// <summary>The monitor set or cleared the node's FAULT flag for keepalived.</summary>
public sealed class FaultChangedEvent : MonitorEvent
{
    public FaultChangedEvent(string node, DateTime timestamp, bool fault, string reason)
        : base(node, timestamp, fault ? MonitorEventSeverity.Warning : MonitorEventSeverity.Information,
            (fault ? "FAULT set: " : "FAULT cleared: ") + reason)
    {
        Fault = fault;
        Reason = reason;
    }

    public override string EventType => "FaultChanged";

    public bool Fault { get; }

    public string Reason { get; }
}

/// <summary>Every KDC of the group is down (Critical), or the first one came back (Resolved).</summary>
public sealed class AllKdcsDownEvent : MonitorEvent
{
    public AllKdcsDownEvent(string node, DateTime timestamp, bool resolved, string reason)
        : base(node, timestamp, resolved ? MonitorEventSeverity.Information : MonitorEventSeverity.Critical,
            resolved ? "A KDC is up again: " + reason : ("Every KDC is down; the VIP is kept where it is. " + reason).TrimEnd())
    {
        Resolved = resolved;
    }

    public override string EventType => "AllKdcsDown";

    public bool Resolved { get; }
}

/// <summary>keepalived moved a VRRP instance (or sync group) to another state, as its notify FIFO said.</summary>
public sealed class VrrpStateChangedEvent : MonitorEvent
{
    public VrrpStateChangedEvent(string node, DateTime timestamp, string instance, VrrpState previousState, VrrpState state, int? priority)
        : base(node, timestamp, IsLoss(previousState, state) ? MonitorEventSeverity.Warning : MonitorEventSeverity.Information,
            $"VRRP {instance} is {state} (was {previousState}){(priority is { } p ? $", priority {p}" : string.Empty)}.")
    {
        Instance = instance;
        PreviousInstanceState = previousState;
        InstanceState = state;
        Priority = priority;
    }

    public override string EventType => "VrrpStateChanged";

    public string Instance { get; }

    public string PreviousState => PreviousInstanceState.ToString();

    public string State => InstanceState.ToString();

    public int? Priority { get; }

    internal VrrpState PreviousInstanceState { get; }

    internal VrrpState InstanceState { get; }

    // Leaving Master, or any Fault, is what someone on call wants to notice; the rest is routine.
    private static bool IsLoss(VrrpState previousState, VrrpState state) => state == VrrpState.Fault || (previousState == VrrpState.Master && state != VrrpState.Master);
}

/// <summary>Several routers advertised as master for one virtual router id at once: published once per episode.</summary>
public sealed class SplitBrainSuspectedEvent : MonitorEvent
{
    // The start time is in the message so each episode is a distinct alert, not a duplicate the dispatcher drops.
    public SplitBrainSuspectedEvent(string node, DateTime timestamp, int virtualRouterId, IReadOnlyList<string> masters, DateTime since)
        : base(node, timestamp, MonitorEventSeverity.Critical,
            $"Split brain suspected on VRID {virtualRouterId} since {since.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} UTC: {string.Join(", ", masters)} all advertise as master.")
    {
        VirtualRouterId = virtualRouterId;
        Masters = masters;
        Since = since;
    }

    public override string EventType => "SplitBrainSuspected";

    public int VirtualRouterId { get; }

    public IReadOnlyList<string> Masters { get; }

    /// <summary>When both masters were first heard together.</summary>
    public DateTime Since { get; }
}

/// <summary>The split brain a <see cref="SplitBrainSuspectedEvent"/> reported is over: one master, or none, is heard.</summary>
public sealed class SplitBrainClearedEvent : MonitorEvent
{
    public SplitBrainClearedEvent(string node, DateTime timestamp, int virtualRouterId, DateTime suspectedSince)
        : base(node, timestamp, MonitorEventSeverity.Information,
            $"Split brain on VRID {virtualRouterId} is over after {(timestamp - suspectedSince).TotalSeconds:0.#} s: at most one master advertises.")
    {
        VirtualRouterId = virtualRouterId;
        SuspectedSince = suspectedSince;
    }

    public override string EventType => "SplitBrainCleared";

    public int VirtualRouterId { get; }

    public DateTime SuspectedSince { get; }
}

/// <summary>
/// keepalived on this node had stopped (crashed, killed) leaving a VIP on an interface, and a peer advertised as the
/// VIP's master: two hosts held the address. The monitor took it off here (Released) or could not (Error): either way
/// a split brain to alert, and a node out of the VRRP group until keepalived is started again.
/// </summary>
public sealed class OrphanedVipEvent : MonitorEvent
{
    public OrphanedVipEvent(string node, DateTime timestamp, int virtualRouterId, string master, IReadOnlyList<string> addresses, string keepalived, string? error)
        : base(node, timestamp, MonitorEventSeverity.Critical,
            $"keepalived is not running here ({keepalived}) but {string.Join(", ", addresses)} stayed, and {master} advertises VRID {virtualRouterId} as master: " +
            (error is null ? "the orphaned address was released; start keepalived again to rejoin." : $"releasing the orphaned address failed: {error}"))
    {
        VirtualRouterId = virtualRouterId;
        Master = master;
        Addresses = addresses;
        Keepalived = keepalived;
        Error = error;
    }

    public override string EventType => "OrphanedVip";

    public int VirtualRouterId { get; }

    /// <summary>The peer that advertises as master of the address.</summary>
    public string Master { get; }

    /// <summary>The addresses with prefix and interface, e.g. 192.0.2.10/32 on eth0.</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>Why keepalived counts as not running (its pid file and /proc).</summary>
    public string Keepalived { get; }

    public bool Released => Error is null;

    public string? Error { get; }
}

/// <summary>
/// A side source (notify FIFO, VRRP listener, notification spool) failed. The probe loop and failover go on; the
/// source is retried, and the same failure is reported once, not on every retry.
/// </summary>
public sealed class MonitorSourceFailedEvent : MonitorEvent
{
    public MonitorSourceFailedEvent(string node, DateTime timestamp, string source, string error)
        : base(node, timestamp, MonitorEventSeverity.Warning, $"{source}: {error}")
    {
        Source = source;
        Error = error;
    }

    public override string EventType => "MonitorSourceFailed";

    public string Source { get; }

    public string Error { get; }
}
