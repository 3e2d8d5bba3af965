using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;

namespace KdcHa.Vrrp;

/// <summary>
/// Finds split brains from advertisements: a backup is silent, so two sources advertising a priority above 0 for
/// one virtual router (an id within one address family) within the window are two masters. A priority-0 advertisement (a master resigning) ends
/// that source's mastership at once. Not thread-safe: one listener loop feeds it.
/// </summary>
public sealed class SplitBrainDetector
{
    // A link has a handful of routers; spoofed sources beyond this are ignored rather than remembered.
    private const int MaximumSources = 1024;

    private readonly Dictionary<(AddressFamily Family, int VirtualRouterId, string Source), VrrpAdvertisement> _latest = new();

    public SplitBrainDetector(TimeSpan window)
    {
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be positive.");
        }

        Window = window;
    }

    public TimeSpan Window { get; }

    public void Observe(VrrpAdvertisement advertisement)
    {
        var key = (advertisement.Family, advertisement.VirtualRouterId, advertisement.Source.ToString());
        if (!_latest.ContainsKey(key) && _latest.Count >= MaximumSources)
        {
            Prune(advertisement.ReceivedUtc);
            if (_latest.Count >= MaximumSources)
            {
                return;
            }
        }

        _latest[key] = advertisement;
    }

    /// <summary>The latest advertisement of every source heard within the window, per virtual router.</summary>
    public IReadOnlyList<VrrpAdvertisement> Recent(DateTime nowUtc)
    {
        Prune(nowUtc);
        return _latest.Values.OrderBy(a => a.Family).ThenBy(a => a.VirtualRouterId).ThenBy(a => a.Source.ToString(), StringComparer.Ordinal).ToList();
    }

    private void Prune(DateTime nowUtc)
    {
        var oldest = nowUtc - Window;
        foreach (var stale in _latest.Where(entry => entry.Value.ReceivedUtc < oldest).Select(entry => entry.Key).ToList())
        {
            _latest.Remove(stale);
        }
    }

    public IReadOnlyList<SplitBrainReport> Current(DateTime nowUtc) =>
        Recent(nowUtc)
            .Where(a => a.Priority > 0)
            .GroupBy(a => (a.Family, a.VirtualRouterId))
            .Where(g => g.Count() > 1)
            .Select(g => new SplitBrainReport(
                g.Key.Family,
                g.Key.VirtualRouterId,
                g.Select(a => a.Source.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToList(),
                g.Select(a => a.ReceivedUtc).OrderBy(t => t).ElementAt(1)))
            .ToList();
}

/// <summary>Two or more routers advertising as master for one virtual router (an id within one address family) at the same time.</summary>
public sealed class SplitBrainReport
{
    public SplitBrainReport(AddressFamily family, int virtualRouterId, IReadOnlyList<string> masters, DateTime detectedUtc)
    {
        Family = family;
        VirtualRouterId = virtualRouterId;
        Masters = masters;
        DetectedUtc = detectedUtc;
    }

    public AddressFamily Family { get; }

    public int VirtualRouterId { get; }

    /// <summary>The advertising routers' addresses, sorted.</summary>
    public IReadOnlyList<string> Masters { get; }

    /// <summary>The second-earliest of the masters' latest advertisements: from then on, two masters were heard at once.</summary>
    public DateTime DetectedUtc { get; }

    public override string ToString() => $"{VirtualRouterName.Of(Family, VirtualRouterId)}: {string.Join(", ", Masters)} all advertise as master";
}
