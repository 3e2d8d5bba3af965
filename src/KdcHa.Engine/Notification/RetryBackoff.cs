using System;

namespace KdcHa.Notification;

/// <summary>
/// Exponential backoff with "equal jitter": half the capped exponential delay is fixed, half random, so two nodes
/// that lost the same endpoint at the same moment do not retry in lockstep, yet nobody retries at once.
/// </summary>
public sealed class RetryBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _maximum;
    private readonly Random _random;
    private readonly object _gate = new();

    public RetryBackoff(TimeSpan initial, TimeSpan maximum, Random? random = null)
    {
        _initial = initial;
        _maximum = maximum;
        _random = random ?? new Random();
    }

    /// <param name="failures">How many attempts in a row have failed, from 1.</param>
    public TimeSpan Delay(int failures)
    {
        var exponent = Math.Min(failures - 1, 30);
        var capped = Math.Min(_maximum.TotalMilliseconds, _initial.TotalMilliseconds * Math.Pow(2, exponent));
        double jitter;
        lock (_gate)
        {
            jitter = _random.NextDouble();
        }

        return TimeSpan.FromMilliseconds(capped / 2 + jitter * capped / 2);
    }
}
