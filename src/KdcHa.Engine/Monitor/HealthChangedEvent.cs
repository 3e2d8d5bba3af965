using System;
using KdcHa.Kerberos.Health;

namespace KdcHa.Monitor;

public sealed class HealthChangedEvent : MonitorEvent
{
    public HealthChangedEvent(string node, DateTime timestamp, string kdc, bool isLocal, KdcHealthState previousState, KdcHealthState state, KdcHealthResult lastProbe)
        : base(node, timestamp, state == KdcHealthState.Down ? MonitorEventSeverity.Warning : MonitorEventSeverity.Information,
            $"{(isLocal ? "Local" : "Peer")} KDC {kdc} is {state} (was {previousState}): {lastProbe.Status}, {lastProbe.RoundTripMilliseconds:0.#} ms. {lastProbe.Message}")
    {
        Kdc = kdc;
        IsLocal = isLocal;
        PreviousState = previousState.ToString();
        State = state.ToString();
        ProbeStatus = lastProbe.Status;
        RoundTripMilliseconds = lastProbe.RoundTripMilliseconds;
    }

    public override string EventType => "HealthChanged";

    public string Kdc { get; }

    public bool IsLocal { get; }

    public string PreviousState { get; }

    public string State { get; }

    public string ProbeStatus { get; }

    public double RoundTripMilliseconds { get; }
}
