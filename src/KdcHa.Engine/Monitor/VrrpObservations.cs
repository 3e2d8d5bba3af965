using System;
using System.Collections.Generic;
using System.Linq;
using KdcHa.Vrrp;

namespace KdcHa.Monitor;

/// <summary>
/// What the watchers learnt about VRRP, for the status file. The watchers write from their own tasks while the probe
/// loop takes snapshots, hence the lock; every read returns copies.
/// </summary>
public sealed class VrrpObservations
{
    private readonly object _gate = new();
    private readonly Dictionary<string, VrrpInstanceStatus> _instances = new(StringComparer.Ordinal);
    private List<SplitBrainStatus> _splitBrains = new();

    /// <summary>Records a notification; returns the previous state when the state changed (Unknown the first time), else null.</summary>
    public VrrpState? Record(VrrpNotification notification, DateTime now)
    {
        lock (_gate)
        {
            var key = notification.Kind + " " + notification.Name;
            var state = notification.State.ToString();
            if (!_instances.TryGetValue(key, out var status))
            {
                status = new VrrpInstanceStatus { Kind = notification.Kind, Instance = notification.Name, State = VrrpState.Unknown.ToString() };
                _instances.Add(key, status);
            }

            // Priority events (MASTER_PRIORITY and the like) repeat the state: they refresh the priority only.
            status.Priority = notification.Priority ?? status.Priority;
            if (status.State == state)
            {
                return null;
            }

            var previous = (VrrpState)Enum.Parse(typeof(VrrpState), status.State);
            status.State = state;
            status.StateSince = now;
            return previous;
        }
    }

    public void SetSplitBrains(IEnumerable<SplitBrainStatus> splitBrains)
    {
        var copy = splitBrains.Select(Copy).ToList();
        lock (_gate)
        {
            _splitBrains = copy;
        }
    }

    public List<VrrpInstanceStatus> Instances()
    {
        lock (_gate)
        {
            return _instances.Values.OrderBy(i => i.Instance, StringComparer.Ordinal).Select(i => i.Copy()).ToList();
        }
    }

    public List<SplitBrainStatus> SplitBrains()
    {
        lock (_gate)
        {
            return _splitBrains.Select(Copy).ToList();
        }
    }

    private static SplitBrainStatus Copy(SplitBrainStatus status) => new() { VirtualRouterId = status.VirtualRouterId, Masters = status.Masters.ToList(), Since = status.Since };
}
