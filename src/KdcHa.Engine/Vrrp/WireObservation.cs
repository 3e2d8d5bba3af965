using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>What was heard on some interfaces during one listening window: every source's latest advertisement and the split brains.</summary>
public sealed class WireObservation
{
    private WireObservation(IReadOnlyList<VrrpAdvertisement> advertisements, IReadOnlyList<SplitBrainReport> splitBrains)
    {
        Advertisements = advertisements;
        SplitBrains = splitBrains;
    }

    public IReadOnlyList<VrrpAdvertisement> Advertisements { get; }

    public IReadOnlyList<SplitBrainReport> SplitBrains { get; }

    /// <summary>Listens on every interface at once for <paramref name="listenTime"/>.</summary>
    public static async Task<WireObservation> ListenAsync(IReadOnlyCollection<string> interfaces, TimeSpan listenTime, CancellationToken cancellationToken)
    {
        var listeners = new List<VrrpAdvertisementListener>();
        try
        {
            listeners.AddRange(interfaces.Select(i => new VrrpAdvertisementListener(i)));
            var detector = new SplitBrainDetector(listenTime);
            using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            window.CancelAfter(listenTime);
            var gate = new object();
            await Task.WhenAll(listeners.Select(async listener =>
            {
                try
                {
                    while (await listener.ReceiveAsync(window.Token).ConfigureAwait(false) is { } advertisement)
                    {
                        lock (gate)
                        {
                            detector.Observe(advertisement);
                        }
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The window closed: the normal end of listening.
                }
            })).ConfigureAwait(false);
            var now = DateTime.UtcNow;
            return new WireObservation(detector.Recent(now), detector.Current(now));
        }
        finally
        {
            listeners.ForEach(l => l.Dispose());
        }
    }

    /// <summary>The interface to listen on when none is named: the host's only one besides loopback.</summary>
    /// <exception cref="VrrpSourceUnavailableException">None, or several to choose from.</exception>
    public static string OnlyInterface()
    {
        var names = Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).Where(n => n != "lo").ToList();
        return names.Count == 1
            ? names[0]!
            : throw new VrrpSourceUnavailableException($"Name the interface to listen on with -Interface: this host has {(names.Count == 0 ? "none besides lo" : string.Join(", ", names))}.");
    }

    /// <summary>The peers heard for one virtual router, and the master among them (the highest priority if several).</summary>
    public (IReadOnlyList<VrrpPeer> Peers, string? MasterAddress, bool SplitBrain) For(AddressFamily family, int virtualRouterId)
    {
        var heard = Advertisements.Where(a => a.Family == family && a.VirtualRouterId == virtualRouterId).ToList();
        var peers = heard
            .Select(a => new VrrpPeer(a.Source.ToString(), a.Priority, a.AdvertisementIntervalSeconds, a.Version, a.VirtualAddresses.Select(v => v.ToString()).ToList(), a.ReceivedUtc))
            .ToList();
        var master = heard.Where(a => a.Priority > 0).OrderByDescending(a => a.Priority).FirstOrDefault();
        return (peers, master?.Source.ToString(), SplitBrains.Any(s => s.Family == family && s.VirtualRouterId == virtualRouterId));
    }
}

/// <summary>A router heard on the wire for one virtual router id: what its latest advertisement said.</summary>
public sealed class VrrpPeer
{
    public VrrpPeer(string address, int priority, double advertisementIntervalSeconds, int version, IReadOnlyList<string> virtualIPAddresses, DateTime lastSeenUtc)
    {
        Address = address;
        Priority = priority;
        AdvertisementIntervalSeconds = advertisementIntervalSeconds;
        Version = version;
        VirtualIPAddresses = virtualIPAddresses;
        LastSeenUtc = lastSeenUtc;
    }

    public string Address { get; }

    public int Priority { get; }

    public double AdvertisementIntervalSeconds { get; }

    public int Version { get; }

    public IReadOnlyList<string> VirtualIPAddresses { get; }

    public DateTime LastSeenUtc { get; }

    /// <summary>Only a master advertises with a priority above 0; priority 0 is a master resigning.</summary>
    public bool IsMaster => Priority > 0;

    public override string ToString() => $"{Address} ({Priority})";
}

/// <summary>How a virtual router heard on the wire is named where keepalived's instance name is unknown.</summary>
public static class VirtualRouterName
{
    /// <summary>"VRID 51" for IPv4, "VRID 51 IPv6" for IPv6, whose virtual routers are separate ones.</summary>
    public static string Of(AddressFamily family, int virtualRouterId) =>
        family == AddressFamily.InterNetworkV6 ? $"VRID {virtualRouterId} IPv6" : $"VRID {virtualRouterId}";
}
