using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Threading.Tasks;
using KdcHa.Keepalived;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

/// <summary>
/// This node's keepalived and its peers, scripted: what happens on the wire and to the addresses after the
/// maintenance flag changes. Records every flag write so tests can check the node was left in a known state.
/// </summary>
internal sealed class SimulatedKeepalived : IMaintenanceFlag, IPeerObserver, IHostAddresses
{
    public static readonly IPAddress Vip = IPAddress.Parse("10.0.0.100");
    public static readonly IPAddress Self = IPAddress.Parse("10.0.0.11");
    public static readonly IPAddress Peer = IPAddress.Parse("10.0.0.12");

    private readonly ConcurrentDictionary<IPAddress, bool> _local = new();

    public SimulatedKeepalived(bool holdsVip = true)
    {
        _local[Self] = true;
        if (holdsVip)
        {
            _local[Vip] = true;
        }
    }

    public List<string> Writes { get; } = new();

    public SimulatedListener? Listener { get; private set; }

    /// <summary>What "keepalived and the peers" do once the flag is set; nothing by default (no peer).</summary>
    public Action<SimulatedKeepalived>? OnDemoted { get; set; }

    public Action<SimulatedKeepalived>? OnRestored { get; set; }

    public string Path => "/simulated/kdcha_maint";

    public bool IsSet { get; set; }

    public void Set()
    {
        IsSet = true;
        Writes.Add("1");
        OnDemoted?.Invoke(this);
    }

    public void Clear()
    {
        IsSet = false;
        Writes.Add("0");
        OnRestored?.Invoke(this);
    }

    public IPeerListener Listen(string interfaceName, System.Net.Sockets.AddressFamily family, int virtualRouterId) => Listener = new SimulatedListener();

    public bool HasInterface(string interfaceName) => interfaceName == "eth0";

    public bool IsLocal(IPAddress address) => _local.ContainsKey(address);

    public IPAddress? OwnAddress(string interfaceName, IPAddress vip) => Self;

    public void Advertise(IPAddress source, int priority) =>
        Listener!.Push(new PeerAdvertisement(source, 51, priority, DateTime.UtcNow));

    public void ReleaseVip() => _local.TryRemove(Vip, out _);

    public void TakeVip() => _local[Vip] = true;

    /// <summary>The usual standby handover: the peer advertises after its down timer, then this node drops the VIP.</summary>
    public static void PeerTakesOver(SimulatedKeepalived keepalived) =>
        _ = Task.Run(async () =>
        {
            await Task.Delay(30);
            keepalived.Advertise(Self, 1);
            keepalived.Advertise(Peer, 80);
            await Task.Delay(5);
            keepalived.ReleaseVip();
        });
}
