using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Discovery;
using KdcHa.Kerberos.Transport;
using KdcHa.Tests.Notification;

namespace KdcHa.Tests.Kerberos.Discovery;

public class KdcDiscoveryTests
{
    private const string Realm = "KDCHA.TEST";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task KdcLinesOfTheRealmInKrb5ConfAreFoundInFileOrderAndDnsIsNotAsked()
    {
        using var directory = new TempDirectory();
        var conf = Krb5Conf(directory, $"[realms]\n OTHER.TEST = {{\n  kdc = other:88\n }}\n {Realm} = {{\n  kdc = kdc2.kdcha.test\n  kdc = 127.0.0.1:750\n  kdc = https://proxy/KdcProxy\n }}\n");
        var dns = new AnsweringLookup(("_kerberos._udp." + Realm, new[] { new SrvRecordAnswer("srv.kdcha.test", 88, 0, 0) }));

        var found = await new KdcDiscovery(new[] { conf }, dns).DiscoverAsync(Realm, KdcTransportProtocol.Auto, Timeout, OperationOutput.None, CancellationToken.None);

        Assert.Equal(new[] { "kdc2.kdcha.test", "127.0.0.1:750" }, found.Select(kdc => kdc.Address));
        Assert.All(found, kdc => Assert.Equal(KdcSource.Krb5Conf, kdc.Source));
        Assert.All(found, kdc => Assert.Contains(conf, kdc.Origin));
        Assert.Empty(dns.Asked);
    }

    [Fact]
    public async Task WithoutKdcLinesSrvRecordsAreFoundUdpFirstEachInPriorityOrder()
    {
        using var directory = new TempDirectory();
        var conf = Krb5Conf(directory, "[realms]\n OTHER.TEST = {\n  kdc = other:88\n }\n");
        var dns = new AnsweringLookup(
            ("_kerberos._udp." + Realm, new[]
            {
                new SrvRecordAnswer("backup.kdcha.test", 88, 20, 0),
                new SrvRecordAnswer("primary.kdcha.test", 88, 10, 0),
                new SrvRecordAnswer(".", 88, 0, 0),
            }),
            ("_kerberos._tcp." + Realm, new[]
            {
                new SrvRecordAnswer("tcponly.kdcha.test", 88, 30, 0),
                new SrvRecordAnswer("primary.kdcha.test", 88, 10, 0),
                new SrvRecordAnswer("tcpfirst.kdcha.test", 88, 5, 0),
            }));

        var found = await new KdcDiscovery(new[] { conf }, dns).DiscoverAsync(Realm, KdcTransportProtocol.Auto, Timeout, OperationOutput.None, CancellationToken.None);

        Assert.Equal(
            new[] { "primary.kdcha.test:88", "backup.kdcha.test:88", "tcpfirst.kdcha.test:88", "tcponly.kdcha.test:88" },
            found.Select(kdc => kdc.Address));
        Assert.All(found, kdc => Assert.Equal(KdcSource.DnsSrv, kdc.Source));
        Assert.Equal(
            new[] { KdcTransportProtocol.Auto, KdcTransportProtocol.Auto, KdcTransportProtocol.Tcp, KdcTransportProtocol.Tcp },
            found.Select(kdc => kdc.Transport));
        Assert.Equal("SRV _kerberos._udp.KDCHA.TEST (priority 10, weight 0)", found[0].Origin);
    }

    [Theory]
    [InlineData(KdcTransportProtocol.Udp, "_kerberos._udp.KDCHA.TEST")]
    [InlineData(KdcTransportProtocol.Tcp, "_kerberos._tcp.KDCHA.TEST")]
    public async Task AFixedTransportAsksDnsOnlyForItsOwnRecords(KdcTransportProtocol transport, string name)
    {
        var dns = new AnsweringLookup((name, new[] { new SrvRecordAnswer("kdc.kdcha.test", 88, 0, 0) }));

        var found = await new KdcDiscovery(Array.Empty<string>(), dns).DiscoverAsync(Realm, transport, Timeout, OperationOutput.None, CancellationToken.None);

        Assert.Equal(new[] { name }, dns.Asked);
        Assert.Equal(transport, Assert.Single(found).Transport);
    }

    [Fact]
    public void WithinAPriorityTheHeavierRecordComesFirstAsOftenAsRfc2782Weighs()
    {
        // RFC 2782: pick uniformly in 0..sum of weights and take the first record whose running sum reaches it, so
        // weights 90 and 10 put the heavy record first in (90 + 1) / (100 + 1) of the orders.
        var records = new[] { new SrvRecordAnswer("light", 88, 0, 10), new SrvRecordAnswer("heavy", 88, 0, 90), new SrvRecordAnswer("later", 88, 1, 1000) };
        var random = new Random(2782);

        var orders = Enumerable.Range(0, 4000).Select(_ => KdcDiscovery.InPreferenceOrder(records, random).Select(record => record.Target).ToArray()).ToArray();

        Assert.All(orders, order => Assert.Equal("later", order[^1]));
        Assert.InRange(orders.Count(order => order[0] == "heavy") / 4000.0, 0.87, 0.93);
    }

    [Fact]
    public void AWeightZeroRecordIsChosenFirstOnlyWhenThePickIsZero()
    {
        var records = new[] { new SrvRecordAnswer("heavy", 88, 0, 99), new SrvRecordAnswer("zero", 88, 0, 0) };
        var random = new Random(2782);

        var zeroFirst = Enumerable.Range(0, 4000).Count(_ => KdcDiscovery.InPreferenceOrder(records, random).First().Target == "zero");

        Assert.InRange(zeroFirst / 4000.0, 0.002, 0.025);
    }

    [Fact]
    public async Task NoKdcLineAndNoRecordIsKdcNotFoundNamingBothLookups()
    {
        var dns = new AnsweringLookup();

        var e = await Assert.ThrowsAsync<KdcNotFoundException>(() =>
            new KdcDiscovery(Array.Empty<string>(), dns).DiscoverAsync(Realm, KdcTransportProtocol.Auto, Timeout, OperationOutput.None, CancellationToken.None));

        Assert.Equal(Realm, e.Realm);
        Assert.Contains("no SRV record _kerberos._udp.KDCHA.TEST or _kerberos._tcp.KDCHA.TEST", e.Message);
    }

    [Fact]
    public async Task DnsLookupKdcFalseIsKdcNotFoundWithoutAskingDns()
    {
        using var directory = new TempDirectory();
        var conf = Krb5Conf(directory, "[libdefaults]\n dns_lookup_kdc = false\n");
        var dns = new AnsweringLookup(("_kerberos._udp." + Realm, new[] { new SrvRecordAnswer("kdc.kdcha.test", 88, 0, 0) }));

        var e = await Assert.ThrowsAsync<KdcNotFoundException>(() =>
            new KdcDiscovery(new[] { conf }, dns).DiscoverAsync(Realm, KdcTransportProtocol.Auto, Timeout, OperationOutput.None, CancellationToken.None));

        Assert.Contains("dns_lookup_kdc = false", e.Message);
        Assert.Empty(dns.Asked);
    }

    [Fact]
    public async Task AFailedLookupIsReportedAndTheOtherLookupsKdcsAreStillFound()
    {
        var dns = new AnsweringLookup(("_kerberos._tcp." + Realm, new[] { new SrvRecordAnswer("kdc.kdcha.test", 88, 0, 0) }))
        {
            Failing = { ["_kerberos._udp." + Realm] = "SERVFAIL" },
        };
        var output = new RecordingOutput();

        var found = await new KdcDiscovery(Array.Empty<string>(), dns).DiscoverAsync(Realm, KdcTransportProtocol.Auto, Timeout, output, CancellationToken.None);

        Assert.Equal("kdc.kdcha.test:88", Assert.Single(found).Address);
        Assert.Contains(output.Lines, line => line.Contains("_kerberos._udp.KDCHA.TEST failed: SERVFAIL", StringComparison.Ordinal));
    }

    private static string Krb5Conf(TempDirectory directory, string text)
    {
        var path = directory.File("krb5.conf");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Answers from a table: the records given per name, a failure for the names in <see cref="Failing"/>, none for the rest.</summary>
    private sealed class AnsweringLookup(params (string Name, SrvRecordAnswer[] Records)[] answers) : ISrvLookup
    {
        public List<string> Asked { get; } = new();

        public Dictionary<string, string> Failing { get; } = new();

        public Task<SrvLookupResult> LookupAsync(string name, TimeSpan timeout, CancellationToken cancellationToken)
        {
            lock (Asked)
            {
                Asked.Add(name);
            }

            return Task.FromResult(Failing.TryGetValue(name, out var failure)
                ? SrvLookupResult.Failed(failure)
                : SrvLookupResult.Found(answers.Where(answer => answer.Name == name).SelectMany(answer => answer.Records).ToArray()));
        }
    }
}
