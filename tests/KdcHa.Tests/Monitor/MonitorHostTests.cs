using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Configuration;
using KdcHa.Monitor;

namespace KdcHa.Tests.Monitor;

public class MonitorHostTests
{
    [Fact]
    public async Task TheHostRunsForItsDurationWritesEveryEventOnceAndLeavesTheNodeSafe()
    {
        using var directory = new TempDirectory();
        var host = new MonitorHost(LoopbackConfiguration(directory.Path), alerts: null);
        var output = new RecordingOutput();

        await host.RunAsync(output, TimeSpan.FromMilliseconds(600), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        var events = output.Objects.OfType<MonitorEvent>().ToList();
        Assert.IsType<MonitorStartedEvent>(events[0]);
        var stopped = Assert.IsType<MonitorStoppedEvent>(events[^1]);
        Assert.Equal("-Duration 00:00:00.6000000 elapsed.", stopped.Reason);
        Assert.Equal(events.Select(e => $"[{e.Severity}] {e.EventType}: {e.Message}"), output.Verbose);
        Assert.False(File.Exists(directory.File("heartbeat")));
        var status = new MonitorStatusFile(directory.File("status.json")).Read(DateTime.UtcNow);
        Assert.Equal((MonitorRunState.Stopped, stopped.Reason), (status.RunState, status.Reason));
    }

    [Fact]
    public async Task TheCallersTokenStopsTheHostAsCtrlCDoes()
    {
        using var directory = new TempDirectory();
        var output = new RecordingOutput();
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        await new MonitorHost(LoopbackConfiguration(directory.Path), alerts: null).RunAsync(output, TimeSpan.Zero, stop.Token).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("stopped by Ctrl+C.", output.Objects.OfType<MonitorStoppedEvent>().Single().Reason);
    }

    [Fact]
    public async Task OnAnHaproxyNodeTheHostProbesTheFrontendsOverTcp()
    {
        using var directory = new TempDirectory();
        // Only UDP listens on the frontend's port, and never answers: a UDP probe would time out, a TCP one is refused.
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var frontend = $"127.0.0.1:{((IPEndPoint)udp.LocalEndPoint!).Port}";
        var configuration = LoopbackConfiguration(directory.Path);
        configuration.LocalFrontend = frontend;
        configuration.PeerFrontend = new[] { $"127.0.0.1:{FreePort()}" };

        await new MonitorHost(configuration, alerts: null).RunAsync(new RecordingOutput(), TimeSpan.FromMilliseconds(600), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        var status = new MonitorStatusFile(directory.File("status.json")).Read(DateTime.UtcNow);
        Assert.Equal(new[] { ($"frontend {frontend}", true, "Refused") }, status.Frontends!.Take(1).Select(f => (f.Kdc, f.IsLocal, f.LastProbeStatus)));
        Assert.Equal(2, status.Frontends!.Count);
        Assert.Equal(2, status.Kdcs.Count);
    }

    // Loopback ports nothing listens on: every probe is refused at once.
    private static MonitorConfiguration LoopbackConfiguration(string stateDirectory) => new()
    {
        Node = "node1",
        LocalKdc = $"127.0.0.1:{FreePort()}",
        PeerKdc = new[] { $"127.0.0.1:{FreePort()}" },
        Realm = "KDCHA.TEST",
        StateDirectory = stateDirectory,
    };

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private sealed class RecordingOutput : IOperationOutput
    {
        private readonly object _gate = new();

        public List<string> Verbose { get; } = new();

        public List<object> Objects { get; } = new();

        public void WriteVerbose(string message)
        {
            lock (_gate)
            {
                Verbose.Add(message);
            }
        }

        public void WriteWarning(string message)
        {
        }

        public void WriteProgress(string stage, string status)
        {
        }

        public void WriteObject(object value)
        {
            lock (_gate)
            {
                Objects.Add(value);
            }
        }
    }
}
