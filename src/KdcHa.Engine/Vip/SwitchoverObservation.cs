using System.Collections.Generic;
using System.Linq;
using System.Net;
using KdcHa.Kerberos.Health;

namespace KdcHa.Vip;

/// <summary>What a switchover saw on the way, so a timeout can say why it timed out.</summary>
internal sealed class SwitchoverObservation
{
    private readonly Dictionary<IPAddress, (int Count, int LastPriority)> _advertisers = new();

    public KdcHealthResult? LastProbe { get; set; }

    public int ProbeCount { get; private set; }

    public void Heard(PeerAdvertisement advertisement)
    {
        _advertisers.TryGetValue(advertisement.Source, out var seen);
        _advertisers[advertisement.Source] = (seen.Count + 1, advertisement.Priority);
    }

    public void Probed(KdcHealthResult result)
    {
        LastProbe = result;
        ProbeCount++;
    }

    public string DescribeAdvertisements(KeepalivedInstance instance) =>
        _advertisers.Count == 0
            ? $"No VRRP advertisement for virtual router {instance.VirtualRouterId} was heard on {instance.Interface}."
            : "Heard VRRP advertisements from " +
              string.Join(", ", _advertisers.Select(pair => $"{pair.Key} ({pair.Value.Count}x, last priority {pair.Value.LastPriority})")) + ".";

    public string DescribeProbes(IPAddress vip) =>
        LastProbe is null
            ? string.Empty
            : $" The last of {ProbeCount} Kerberos probes of {vip} found {LastProbe.Status}: {LastProbe.Message}";
}
