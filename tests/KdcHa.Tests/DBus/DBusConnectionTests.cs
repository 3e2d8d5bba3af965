using System;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common.DBus;

namespace KdcHa.Tests.DBus;

/// <summary>The client against a real dbus-daemon of the test's own, and against scripted servers that misbehave.</summary>
public class DBusConnectionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly PrivateDBusDaemon _bus = new();

    public void Dispose() => _bus.Dispose();

    [Fact]
    public async Task SaysHelloAndMatchesRepliesToCalls()
    {
        using var connection = await DBusConnection.ConnectAsync(_bus.Address, Timeout, CancellationToken.None);

        Assert.StartsWith(":", connection.UniqueName);
        var names = await Call(connection, "ListNames");
        Assert.Contains(connection.UniqueName, (object[])names.Body[0]);
        var id = await Call(connection, "GetId");
        Assert.Matches("^[0-9a-f]{32}$", (string)id.Body[0]);
    }

    [Fact]
    public async Task AnErrorReplyIsADBusErrorException()
    {
        using var connection = await DBusConnection.ConnectAsync(_bus.Address, Timeout, CancellationToken.None);

        var e = await Assert.ThrowsAsync<DBusErrorException>(() => Call(connection, "GetNameOwner", "s", "org.kdcha.Nobody"));
        Assert.Equal(DBusErrorException.NameHasNoOwner, e.ErrorName);
    }

    [Fact]
    public async Task NoSocketIsAConnectionException()
    {
        var address = DBusAddress.Parse($"unix:path={_bus.SocketPath}.absent");

        var e = await Assert.ThrowsAsync<DBusConnectionException>(() => DBusConnection.ConnectAsync(address, Timeout, CancellationToken.None));
        Assert.False(e.PermissionDenied);
    }

    [Fact]
    public async Task ABusThatNeverAnswersMissesTheDeadline()
    {
        using var server = new ScriptedServer(_bus.SocketPath + ".silent", answer: null);
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<DBusConnectionException>(() => DBusConnection.ConnectAsync(server.Address, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"Took {clock.Elapsed}.");
    }

    [Fact]
    public async Task ARejectedAuthenticationIsAPermissionFailure()
    {
        using var server = new ScriptedServer(_bus.SocketPath + ".rejecting", Encoding.ASCII.GetBytes("REJECTED DBUS_COOKIE_SHA1\r\n"));

        var e = await Assert.ThrowsAsync<DBusConnectionException>(() => DBusConnection.ConnectAsync(server.Address, Timeout, CancellationToken.None));
        Assert.True(e.PermissionDenied);
    }

    [Theory]
    [InlineData("4F4B20303132330D0A" + "6C02000100001000010000000000000000")] // OK, then a 1 MiB + body claim
    [InlineData("4F4B20303132330D0A" + "5802000100000000010000000000000000")] // OK, then no byte order mark
    [InlineData("474152424147450D0A")]                                         // not a SASL answer
    public async Task HostileBytesAreAProtocolException(string answerHex)
    {
        using var server = new ScriptedServer(_bus.SocketPath + ".hostile", Convert.FromHexString(answerHex));

        await Assert.ThrowsAsync<DBusProtocolException>(() => DBusConnection.ConnectAsync(server.Address, Timeout, CancellationToken.None));
    }

    private static Task<DBusMessage> Call(DBusConnection connection, string member, string signature = "", params object[] arguments) =>
        connection.CallAsync(DBusConnection.BusName, DBusConnection.BusPath, DBusConnection.BusName, member, signature, arguments, Timeout, CancellationToken.None);

    /// <summary>Accepts one client, waits for its first line, then sends <c>answer</c> (or nothing) and keeps the connection open.</summary>
    private sealed class ScriptedServer : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        private readonly string _path;
        private Socket? _client;

        public ScriptedServer(string path, byte[]? answer)
        {
            _path = path;
            _listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            _listener.Listen(1);
            Address = DBusAddress.Parse("unix:path=" + path);
            _ = Task.Run(async () =>
            {
                _client = await _listener.AcceptAsync();
                var buffer = new byte[256];
                var received = 0;
                while (!Encoding.ASCII.GetString(buffer, 0, received).Contains("\r\n", StringComparison.Ordinal))
                {
                    received += await _client.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None);
                }

                if (answer is not null)
                {
                    await _client.SendAsync(answer, SocketFlags.None);
                }
            });
        }

        public DBusAddress Address { get; }

        public void Dispose()
        {
            _client?.Dispose();
            _listener.Dispose();
            System.IO.File.Delete(_path);
        }
    }
}
