using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Keepalived;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Keepalived;

/// <summary>The DBus state source against real keepalived on a private bus (root: a network namespace).</summary>
public class DBusSourceTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly KeepalivedOnPrivateBus _keepalived = new();

    public void Dispose() => _keepalived.Dispose();

    [LabFact("ip", "keepalived", "dbus-daemon", Root = true)]
    public async Task FollowsKeepalivedIntoMasterAndFaultAndAgreesWithTheJsonDump()
    {
        var query = new VrrpQuery { PidFile = _keepalived.PidFile };
        var master = await WaitForStateAsync(query, VrrpState.Master);
        Assert.Equal(("KDC_VIP", 51, "eth0", "IPv4", "DBus"), (master.Name, master.VirtualRouterId, master.Interface, master.Family, master.Source));

        using var deadline = new CancellationTokenSource(Patience);
        File.WriteAllText(_keepalived.BrokenFile, "1\n");

        await WaitForStateAsync(query, VrrpState.Fault);
        Assert.Equal(VrrpState.Fault, Assert.Single(await new DBusStateSource().GetStatesAsync(query, deadline.Token)).State);
        Assert.Equal(VrrpState.Fault, Assert.Single(await new JsonDumpStateSource().GetStatesAsync(query, deadline.Token)).State);

        File.WriteAllText(_keepalived.BrokenFile, "0\n");
        await WaitForStateAsync(query, VrrpState.Master);
    }

    [LabFact("ip", "keepalived", "dbus-daemon", Root = true)]
    public async Task AutoPrefersTheJsonDumpAndFallsBackToDBusBeforeInterface()
    {
        var query = new VrrpQuery { PidFile = _keepalived.PidFile };
        await WaitForStateAsync(query, VrrpState.Master);

        var auto = await new VrrpStateReader().ReadAsync(query, VrrpSourceKind.Auto, listenOnWire: false, OperationOutput.None, CancellationToken.None);
        var withoutDumps = await new VrrpStateReader(new IVrrpStateSource[] { new DBusStateSource(), new InterfaceStateSource() })
            .ReadAsync(query, VrrpSourceKind.Auto, listenOnWire: false, OperationOutput.None, CancellationToken.None);

        Assert.Equal("Json", Assert.Single(auto).Source);
        Assert.Equal("DBus", Assert.Single(withoutDumps).Source);
    }

    [LabFact("ip", "keepalived", "dbus-daemon", Root = true)]
    public async Task ANameThatIsNotThisKeepalivedsIsNotBelieved()
    {
        var query = new VrrpQuery { PidFile = _keepalived.PidFile };
        await WaitForStateAsync(query, VrrpState.Master);
        using var impostor = new Tmds.DBus.Protocol.DBusConnection(_keepalived.BusAddress);
        await impostor.ConnectAsync().AsTask().WaitAsync(Patience);
        await impostor.RequestNameAsync("org.keepalived.Vrrp1.impostor").WaitAsync(Patience);

        _keepalived.RewriteServiceName("org.keepalived.Vrrp1.impostor");
        var owned = await Assert.ThrowsAsync<VrrpSourceUnavailableException>(() => new DBusStateSource().GetStatesAsync(new VrrpQuery { PidFile = _keepalived.PidFile }, CancellationToken.None));
        _keepalived.RewriteServiceName("org.keepalived.Vrrp1.nobody");
        var unowned = await Assert.ThrowsAsync<VrrpSourceUnavailableException>(() => new DBusStateSource().GetStatesAsync(new VrrpQuery { PidFile = _keepalived.PidFile }, CancellationToken.None));

        Assert.Contains("another keepalived holds the name", owned.Message);
        Assert.Contains("nobody owns org.keepalived.Vrrp1.nobody", unowned.Message);
    }

    private static async Task<VrrpInstanceState> WaitForStateAsync(VrrpQuery query, VrrpState wanted)
    {
        var clock = Stopwatch.StartNew();
        var last = "nothing yet";
        while (clock.Elapsed < Patience)
        {
            try
            {
                var states = await new DBusStateSource().GetStatesAsync(new VrrpQuery { PidFile = query.PidFile }, CancellationToken.None);
                if (states.FirstOrDefault(s => s.State == wanted) is { } state)
                {
                    return state;
                }

                last = string.Join(", ", states.Select(s => $"{s.Name} {s.State}"));
            }
            catch (KdcHa.Common.KdcHaException e)
            {
                last = e.Message;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"keepalived did not report {wanted} over DBus within {Patience}: {last}");
    }
}
