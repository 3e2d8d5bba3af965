using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Vip;
using KdcHa.Vrrp;

namespace KdcHa.Monitor;

/// <summary>
/// Takes a VIP off this node when keepalived here is gone and a peer has become the VIP's master. A keepalived whose
/// VRRP process is killed (SIGKILL, the OOM killer) leaves its addresses on the interface, and nothing else ever
/// removes them: the peer takes over after its master-down timer and both hosts answer for the VIP until someone
/// notices. This watcher hears the peer's advertisements; each one from a master (priority above 0) that lists an
/// address this host still holds is checked against keepalived's pid file, and only when keepalived is not running
/// is the address released, as Move-KdcVip -Direct -Release does, and an <see cref="OrphanedVipEvent"/> published.
/// While keepalived runs nothing is touched, whatever is heard: a split brain of two live keepalived processes is
/// theirs to settle, and <see cref="SplitBrainWatcher"/> reports it. Until a peer is master the orphaned address
/// stays, so the local KDC keeps answering on it.
/// </summary>
public sealed class OrphanedVipWatcher : RetryingWatcher<IVrrpAdvertisementSource>
{
    private readonly Func<string?> _keepalivedNotRunning;
    private readonly IVipHolder _holder;
    private string? _lastFailure;

    // keepalivedNotRunning: why keepalived is not running, or null while it runs (and when that cannot be told).
    public OrphanedVipWatcher(string node, string description, Func<IVrrpAdvertisementSource> open, Func<string?> keepalivedNotRunning, IVipHolder holder, IMonitorEventSink events, IMonitorClock clock, TimeSpan retryDelay)
        : base(node, description, open, events, clock, retryDelay)
    {
        _keepalivedNotRunning = keepalivedNotRunning ?? throw new ArgumentNullException(nameof(keepalivedNotRunning));
        _holder = holder ?? throw new ArgumentNullException(nameof(holder));
    }

    protected override async Task UseAsync(IVrrpAdvertisementSource source, CancellationToken cancellationToken)
    {
        while (await source.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } advertisement)
        {
            Observe(advertisement);
        }
    }

    public void Observe(VrrpAdvertisement advertisement)
    {
        // keepalived first: while it runs, which is nearly always, a backup hearing its master costs two small reads.
        if (advertisement.Priority == 0 || advertisement.VirtualAddresses.Count == 0 || _keepalivedNotRunning() is not { } keepalived)
        {
            return;
        }

        var held = _holder.Holding(advertisement.VirtualAddresses.ToList());
        if (held.Count == 0)
        {
            return;
        }

        var errors = new List<string>();
        foreach (var address in held)
        {
            try
            {
                _holder.Release(address);
            }
            catch (Exception e)
            {
                errors.Add($"{address}: {e.Message}");
            }
        }

        var error = errors.Count == 0 ? null : string.Join("; ", errors);

        // A release that keeps failing is tried again at every advertisement but reported once, not ten times a second.
        if (error is not null && error == _lastFailure)
        {
            return;
        }

        _lastFailure = error;
        Events.Publish(new OrphanedVipEvent(Node, Clock.UtcNow, advertisement.VirtualRouterId, advertisement.Source.ToString(),
            held.Select(address => address.ToString()).ToList(), keepalived, error));
    }
}
