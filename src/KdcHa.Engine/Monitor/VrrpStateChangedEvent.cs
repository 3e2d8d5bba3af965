using System;
using KdcHa.Vrrp;

namespace KdcHa.Monitor;

/// <summary>keepalived moved a VRRP instance (or sync group) to another state, as its notify FIFO said.</summary>
public sealed class VrrpStateChangedEvent : MonitorEvent
{
    public VrrpStateChangedEvent(string node, DateTime timestamp, string instance, VrrpState previousState, VrrpState state, int? priority)
        : base(node, timestamp, IsLoss(previousState, state) ? MonitorEventSeverity.Warning : MonitorEventSeverity.Information,
            $"VRRP {instance} is {state} (was {previousState}){(priority is { } p ? $", priority {p}" : string.Empty)}.")
    {
        Instance = instance;
        PreviousState = previousState.ToString();
        State = state.ToString();
        Priority = priority;
    }

    public override string EventType => "VrrpStateChanged";

    public string Instance { get; }

    public string PreviousState { get; }

    public string State { get; }

    public int? Priority { get; }

    // Leaving Master, or any Fault, is what someone on call wants to notice; the rest is routine.
    private static bool IsLoss(VrrpState previousState, VrrpState state) => state == VrrpState.Fault || (previousState == VrrpState.Master && state != VrrpState.Master);
}
