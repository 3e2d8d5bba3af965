using System;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Keepalived;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Keepalived;

/// <summary>How the bus client classifies a bus that is absent, silent, refusing or not DBus, against scripted servers.</summary>
public class KeepalivedBusTests : IDisposable
{
    // "OK <guid>\r\n": the bus accepts the client and names itself.
    private const string Ok = "4F4B20" + "3031323334353637383961626364656630313233343536373839616263646566" + "0D0A";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task NoSocketIsAnUnavailableSource()
    {
        await Assert.ThrowsAsync<VrrpSourceUnavailableException>(() => Open($"unix:path={_directory.File("absent")}", Timeout));
    }

    [Fact]
    public async Task ABusThatNeverAnswersMissesTheDeadline()
    {
        using var server = new ScriptedServer(_directory.File("silent"), answer: null);
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<VrrpSourceUnavailableException>(() => Open(server.Address, TimeSpan.FromMilliseconds(300)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"Took {clock.Elapsed}.");
    }

    [Fact]
    public async Task ARejectedAuthenticationIsAPermissionFailure()
    {
        using var server = new ScriptedServer(_directory.File("rejecting"), Encoding.ASCII.GetBytes("REJECTED DBUS_COOKIE_SHA1\r\n"), everyLine: true);

        await Assert.ThrowsAsync<VrrpPermissionException>(() => Open(server.Address, Timeout));
    }

    [Fact]
    public async Task AnAnswerThatIsNotDBusIsNotKeepalivedsBus()
    {
        using var server = new ScriptedServer(_directory.File("short-guid"), Encoding.ASCII.GetBytes("OK 0123\r\n"));

        await Assert.ThrowsAsync<KeepalivedDumpFormatException>(() => Open(server.Address, Timeout));
    }

    [Theory]
    [InlineData(Ok + "6C02000100001000010000000000000000")] // OK, then a 1 MiB + body claim
    [InlineData(Ok + "5802000100000000010000000000000000")] // OK, then no byte order mark
    [InlineData("474152424147450D0A")]                      // not a SASL answer
    public async Task HostileBytesEndInAnUnavailableSourceWithinTheDeadline(string answerHex)
    {
        using var server = new ScriptedServer(_directory.File("hostile"), Convert.FromHexString(answerHex));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<VrrpSourceUnavailableException>(() => Open(server.Address, TimeSpan.FromMilliseconds(500)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"Took {clock.Elapsed}.");
    }

    private static async Task Open(string address, TimeSpan timeout)
    {
        using var bus = await KeepalivedBus.OpenAsync(address, KeepalivedBus.DefaultServiceName, timeout, CancellationToken.None);
    }

    /// <summary>
    /// Accepts one client, waits for its first line (or each line), then sends <c>answer</c> (or nothing) and keeps the
    /// connection open.
    /// </summary>
    private sealed class ScriptedServer : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        private readonly string _path;
        private Socket? _client;

        public ScriptedServer(string path, byte[]? answer, bool everyLine = false)
        {
            _path = path;
            _listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            _listener.Listen(1);
            Address = "unix:path=" + path;
            _ = Task.Run(async () =>
            {
                _client = await _listener.AcceptAsync();
                var buffer = new byte[256];
                do
                {
                    var received = 0;
                    while (!Encoding.ASCII.GetString(buffer, 0, received).Contains("\r\n", StringComparison.Ordinal))
                    {
                        var count = await _client.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None);
                        if (count == 0)
                        {
                            return;
                        }

                        received += count;
                    }

                    if (answer is not null)
                    {
                        await _client.SendAsync(answer, SocketFlags.None);
                    }
                }
                while (everyLine);
            });
        }

        public string Address { get; }

        public void Dispose()
        {
            _client?.Dispose();
            _listener.Dispose();
            System.IO.File.Delete(_path);
        }
    }
}
