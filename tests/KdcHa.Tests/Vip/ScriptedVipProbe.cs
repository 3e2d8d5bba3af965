using System;
using System.Collections.Concurrent;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Health;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

/// <summary>Answers from a queue of statuses; once the queue is empty, repeats the last one.</summary>
internal sealed class ScriptedVipProbe : IVipProbe
{
    private readonly ConcurrentQueue<KdcHealthStatus> _statuses;
    private KdcHealthStatus _last;

    public ScriptedVipProbe(params KdcHealthStatus[] statuses)
    {
        _statuses = new ConcurrentQueue<KdcHealthStatus>(statuses);
        _last = statuses.Length > 0 ? statuses[statuses.Length - 1] : KdcHealthStatus.Healthy;
    }

    public int Calls { get; private set; }

    public Task<KdcHealthResult> ProbeAsync(IPAddress vip, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Calls++;
        var status = _statuses.TryDequeue(out var next) ? next : _last;
        return Task.FromResult(new KdcHealthResult
        {
            Kdc = vip.ToString(),
            Verdict = status,
            RoundTripMilliseconds = 1.5,
            Message = $"scripted {status}",
            Timestamp = DateTime.UtcNow,
        });
    }
}
