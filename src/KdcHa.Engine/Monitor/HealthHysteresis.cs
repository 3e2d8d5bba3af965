using System;
using KdcHa.Kerberos.Health;

namespace KdcHa.Monitor;

/// <summary>
/// Fall/rise hysteresis for one KDC. A refused probe (nothing listens on the KDC port: the process is gone) is
/// definitive and marks the KDC down at once; any other failure, a timeout above all, must repeat <c>fall</c> times,
/// because one lost datagram or one scheduling hiccup must not move the VIP. A down KDC is re-admitted only after
/// <c>rise</c> consecutive good probes, so a KDC that comes back flapping does not pull the VIP back and forth.
/// </summary>
public sealed class HealthHysteresis
{
    private readonly int _fall;
    private readonly int _rise;

    public HealthHysteresis(int fall, int rise, KdcHealthState initialState = KdcHealthState.Unknown)
    {
        _fall = fall >= 1 ? fall : throw new ArgumentOutOfRangeException(nameof(fall), fall, "fall must be at least 1.");
        _rise = rise >= 1 ? rise : throw new ArgumentOutOfRangeException(nameof(rise), rise, "rise must be at least 1.");
        State = initialState;
    }

    public KdcHealthState State { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    public int ConsecutiveSuccesses { get; private set; }

    /// <summary>A failure was seen but not yet confirmed: the monitor probes again at once instead of waiting an interval.</summary>
    public bool AwaitingConfirmation => State != KdcHealthState.Down && ConsecutiveFailures > 0;

    public static bool IsDefinitiveFailure(KdcHealthStatus status) => status == KdcHealthStatus.Refused;

    /// <summary>Feeds one probe result; true when the state changed.</summary>
    public bool Observe(KdcHealthStatus status)
    {
        var previous = State;
        if (status == KdcHealthStatus.Healthy)
        {
            ConsecutiveFailures = 0;
            ConsecutiveSuccesses++;
            if (State == KdcHealthState.Unknown || (State == KdcHealthState.Down && ConsecutiveSuccesses >= _rise))
            {
                State = KdcHealthState.Up;
            }
        }
        else
        {
            ConsecutiveSuccesses = 0;
            ConsecutiveFailures++;
            if (State != KdcHealthState.Down && (IsDefinitiveFailure(status) || ConsecutiveFailures >= _fall))
            {
                State = KdcHealthState.Down;
            }
        }

        return State != previous;
    }
}
