using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Discovery;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Tests.Kerberos.Discovery;

/// <summary>Discovery through DnsClient against a real dnsmasq on loopback: the records, no records, and a hung server.</summary>
public class DnsClientSrvLookupTests
{
    private const string Realm = "KDCHA.TEST";

    [LabFact("dnsmasq", Root = true)]
    public async Task SrvRecordsOfARealDnsServerAreFoundInPriorityOrderWithTheirPorts()
    {
        using var dns = new LoopbackDnsmasq("kdcha.test",
            "--srv-host=_kerberos._udp.kdcha.test,kdc2.kdcha.test,750,20,0",
            "--srv-host=_kerberos._udp.kdcha.test,kdc1.kdcha.test,88,10,0",
            "--srv-host=_kerberos._tcp.kdcha.test,kdc3.kdcha.test,88,0,0");

        var found = await Discovery(dns).DiscoverAsync(Realm, KdcTransportProtocol.Auto, TimeSpan.FromSeconds(2), OperationOutput.None, CancellationToken.None);

        Assert.Equal(new[] { "kdc1.kdcha.test:88", "kdc2.kdcha.test:750", "kdc3.kdcha.test:88" }, found.Select(kdc => kdc.Address));
        Assert.Equal(new[] { KdcTransportProtocol.Auto, KdcTransportProtocol.Auto, KdcTransportProtocol.Tcp }, found.Select(kdc => kdc.Transport));
    }

    [LabFact("dnsmasq", Root = true)]
    public async Task ARealmWithoutRecordsOnARealDnsServerIsKdcNotFound()
    {
        using var dns = new LoopbackDnsmasq("kdcha.test", "--srv-host=_kerberos._udp.other.kdcha.test,kdc1.kdcha.test,88");

        var e = await Assert.ThrowsAsync<KdcNotFoundException>(() =>
            Discovery(dns).DiscoverAsync(Realm, KdcTransportProtocol.Auto, TimeSpan.FromSeconds(2), OperationOutput.None, CancellationToken.None));

        Assert.Contains("DNS has no SRV record", e.Message);
    }

    [LabFact("dnsmasq", Root = true)]
    public async Task AHungDnsServerCostsTheDeadlineAndNoMore()
    {
        using var dns = new LoopbackDnsmasq("kdcha.test", "--srv-host=_kerberos._udp.kdcha.test,kdc1.kdcha.test,88");
        dns.Hang();
        var timeout = TimeSpan.FromMilliseconds(400);
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<KdcNotFoundException>(() =>
            Discovery(dns).DiscoverAsync(Realm, KdcTransportProtocol.Auto, timeout, OperationOutput.None, CancellationToken.None));

        Assert.InRange(clock.Elapsed, timeout * 0.9, timeout + TimeSpan.FromMilliseconds(600));
        Assert.Contains($"no answer from the DNS server(s) {dns.EndPoint.Address}", e.Message);
    }

    private static KdcDiscovery Discovery(LoopbackDnsmasq dns) => new(Array.Empty<string>(), new DnsClientSrvLookup(new[] { dns.EndPoint }));
}
