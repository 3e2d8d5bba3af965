using System;
using System.IO;
using System.Linq;
using KdcHa.Haproxy;
using KdcHa.Keepalived;

namespace KdcHa.Monitor;

/// <summary>
/// Turns the status the monitor writes after every round into the answer of HAProxy's agent check, so an agent check
/// reads state and never probes: 'maint' once stopped, 'drain' while a Move-KdcVip maintenance flag in the state
/// directory is set, 'down #&lt;status&gt;' while the local KDC is down, 'up ready NN%' while it is up. When every KDC
/// the monitor watches is down the answer defers to HAProxy's own check instead: the fault may be the monitor's
/// (a stale keytab), and saying 'down' for the whole pool would make that an outage.
/// </summary>
public sealed class AgentCheckStatusStore : IMonitorStatusStore
{
    // Weight of each new round trip in the smoothed latency: a few rounds make the weight, one slow probe does not.
    private const double Smoothing = 0.3;

    private readonly IMonitorStatusStore _inner;
    private readonly Action<AgentAnswer?> _answer;
    private readonly Func<bool> _inMaintenance;
    private readonly int _timeoutMilliseconds;
    private double? _smoothedMilliseconds;

    /// <param name="inner">Where the status goes as well (the status file).</param>
    /// <param name="answer">Sets the agent's answer, such as <see cref="AgentCheckResponder.Answer"/>.</param>
    /// <param name="inMaintenance">True while a maintenance flag is set; read once a round.</param>
    /// <param name="timeoutMilliseconds">The probe deadline, which sets the latency scale of the weight.</param>
    public AgentCheckStatusStore(IMonitorStatusStore inner, Action<AgentAnswer?> answer, Func<bool> inMaintenance, int timeoutMilliseconds)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _answer = answer ?? throw new ArgumentNullException(nameof(answer));
        _inMaintenance = inMaintenance ?? throw new ArgumentNullException(nameof(inMaintenance));
        _timeoutMilliseconds = timeoutMilliseconds > 0 ? timeoutMilliseconds : throw new ArgumentOutOfRangeException(nameof(timeoutMilliseconds));
    }

    /// <summary>True while a maintenance flag that New-KdcHaKeepalivedConfig names in <paramref name="stateDirectory"/> holds a non-zero value.</summary>
    public static bool MaintenanceSet(string stateDirectory)
    {
        try
        {
            return Directory.EnumerateFiles(stateDirectory, MaintenanceTrack.StateDirectoryFilePrefix + "*")
                .Any(path => new MaintenanceFlagFile(path).IsSet);
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// The weight of a KDC that answers in <paramref name="roundTripMilliseconds"/>: 100 % up to a tenth of the probe
    /// deadline, falling to 10 % at the deadline (a busy KDC that needed its longer deadline), in steps of 10 % so
    /// that jitter does not rewrite HAProxy's weights every second. Never 0 %, which HAProxy shows as a drain.
    /// </summary>
    public static int WeightPercent(double roundTripMilliseconds, int timeoutMilliseconds)
    {
        var fast = timeoutMilliseconds / 10.0;
        var slowness = Math.Clamp((roundTripMilliseconds - fast) / (timeoutMilliseconds - fast), 0, 1);
        return (int)Math.Round((100 - (90 * slowness)) / 10, MidpointRounding.AwayFromZero) * 10;
    }

    public void Write(MonitorStatus status)
    {
        // The agent first: a status file that cannot be written must not leave HAProxy with a stale answer.
        _answer(AnswerFor(status));
        _inner.Write(status);
    }

    private AgentAnswer? AnswerFor(MonitorStatus status)
    {
        if (status.RunState == MonitorRunState.Stopped)
        {
            return AgentAnswer.Maint;
        }

        if (_inMaintenance())
        {
            return AgentAnswer.Drain;
        }

        var local = status.Kdcs.First(kdc => kdc.IsLocal);
        switch (local.Health)
        {
            case KdcHealthState.Up:
                if (local.LastProbeStatus == nameof(Kerberos.Health.KdcHealthStatus.Healthy))
                {
                    _smoothedMilliseconds = _smoothedMilliseconds is { } smoothed
                        ? smoothed + (Smoothing * (local.LastRoundTripMilliseconds - smoothed))
                        : local.LastRoundTripMilliseconds;
                }

                return AgentAnswer.Up(WeightPercent(_smoothedMilliseconds ?? 0, _timeoutMilliseconds));
            case KdcHealthState.Down:
                return status.AllKdcsDown ? AgentAnswer.DeferToHealthCheck : AgentAnswer.Down(local.LastProbeStatus);
            default:
                // No verdict yet (the first round): HAProxy keeps whatever it had.
                return null;
        }
    }
}
