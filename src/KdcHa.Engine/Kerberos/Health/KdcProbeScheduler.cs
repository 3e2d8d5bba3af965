using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// Runs many probes concurrently, at most <c>throttleLimit</c> at a time, and hands results back in completion order
/// to one consuming thread (a cmdlet's pipeline thread), so a hung KDC never delays the others' results.
/// </summary>
public sealed class KdcProbeScheduler : IDisposable
{
    private readonly KdcHealthProbe _probe;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationToken _cancellationToken;
    private readonly BlockingCollection<Task<KdcHealthResult>> _completed = new();
    private int _outstanding;

    public KdcProbeScheduler(KdcHealthProbe probe, int throttleLimit, CancellationToken cancellationToken)
    {
        if (throttleLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(throttleLimit), throttleLimit, "At least one probe must be allowed to run.");
        }

        _probe = probe ?? throw new ArgumentNullException(nameof(probe));
        _slots = new SemaphoreSlim(throttleLimit, throttleLimit);
        _cancellationToken = cancellationToken;
    }

    /// <summary>Starts probing every one of <paramref name="requests"/> (up to the throttle limit at once).</summary>
    public void Enqueue(IReadOnlyCollection<KdcProbeRequest> requests) =>
        UdpExchangeLoop.Shared.StartTogether(() =>
        {
            foreach (var request in requests)
            {
                _outstanding++;
                var probe = RunThrottledAsync(request);
                probe.ContinueWith(finished => _completed.Add(finished), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        });

    /// <summary>Results that are ready now, without waiting.</summary>
    public IEnumerable<KdcHealthResult> TakeCompleted()
    {
        while (_outstanding > 0 && _completed.TryTake(out var finished))
        {
            yield return Unwrap(finished);
        }
    }

    /// <summary>Every remaining result, each as soon as it is ready.</summary>
    public IEnumerable<KdcHealthResult> TakeRemaining()
    {
        while (_outstanding > 0)
        {
            yield return Unwrap(_completed.Take(_cancellationToken));
        }
    }

    public void Dispose()
    {
        _completed.Dispose();
        _slots.Dispose();
    }

    private KdcHealthResult Unwrap(Task<KdcHealthResult> finished)
    {
        _outstanding--;

        // Rethrows on the consuming thread: cancellation as OperationCanceledException, a bug as itself.
        return finished.GetAwaiter().GetResult();
    }

    private async Task<KdcHealthResult> RunThrottledAsync(KdcProbeRequest request)
    {
        await _slots.WaitAsync(_cancellationToken).ConfigureAwait(false);
        try
        {
            return await _probe.ProbeWithoutHandOffAsync(request, _cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }
}
