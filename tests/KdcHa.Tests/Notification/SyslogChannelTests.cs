using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification;
using KdcHa.Notification.Channels;

namespace KdcHa.Tests.Notification;

/// <summary>Syslog as real receivers see it: a UDP socket, a TCP listener reading RFC 6587 frames, a unix datagram socket.</summary>
public sealed class SyslogChannelTests
{
    // RFC 5424 §6: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] BOM MSG
    private static readonly Regex Rfc5424 = new(
        "^<(?<pri>\\d{1,3})>1 (?<time>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z) (?<host>[!-~]{1,255}) (?<app>[!-~]{1,48}) (?<pid>\\d+) (?<msgid>[!-~]{1,32}) " +
        "(?<sd>\\[kdcha@32473( [a-zA-Z]+=\"([^\"\\\\\\]]|\\\\[\"\\\\\\]])*\")+\\]) \uFEFF(?<msg>.*)$",
        RegexOptions.Singleline);

    [Fact]
    public async Task UdpDatagramIsWellFormedRfc5424()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        var notification = Events.StateChange() with { Message = "quote \" backslash \\ bracket ] ünïcode", Instance = "VI_\"1]" };

        await Channel("Udp", port).SendAsync(notification, CancellationToken.None);
        var datagram = await receiver.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));

        var match = Rfc5424.Match(Encoding.UTF8.GetString(datagram.Buffer));
        Assert.True(match.Success, Encoding.UTF8.GetString(datagram.Buffer));
        Assert.Equal("28", match.Groups["pri"].Value); // daemon (3) * 8 + warning (4)
        Assert.Equal("2025-03-01T12:00:00.000000Z", match.Groups["time"].Value);
        Assert.Equal("kdc1", match.Groups["host"].Value);
        Assert.Equal("kdcha", match.Groups["app"].Value);
        Assert.Equal("VrrpStateChanged", match.Groups["msgid"].Value);
        Assert.Contains("instance=\"VI_\\\"1\\]\"", match.Groups["sd"].Value);
        Assert.Contains($"id=\"{notification.Id}\"", match.Groups["sd"].Value);
        Assert.Equal(notification.Message, match.Groups["msg"].Value);
    }

    [Fact]
    public async Task TcpUsesOctetCountingFraming()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var accepted = listener.AcceptTcpClientAsync();
            var notification = Events.StateChange() with { Severity = NotificationSeverity.Critical, Message = "line one\nline two" };

            await Channel("Tcp", port, facility: 16).SendAsync(notification, CancellationToken.None);
            using var client = await accepted.WaitAsync(TimeSpan.FromSeconds(5));
            using var stream = client.GetStream();
            var all = new MemoryStream();
            await stream.CopyToAsync(all).WaitAsync(TimeSpan.FromSeconds(5));

            var bytes = all.ToArray();
            var space = Array.IndexOf(bytes, (byte)' ');
            var length = int.Parse(Encoding.ASCII.GetString(bytes, 0, space));
            Assert.Equal(bytes.Length - space - 1, length);
            var match = Rfc5424.Match(Encoding.UTF8.GetString(bytes, space + 1, length));
            Assert.True(match.Success);
            Assert.Equal("130", match.Groups["pri"].Value); // local0 (16) * 8 + crit (2)
            Assert.Equal("line one\nline two", match.Groups["msg"].Value);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task UnixSocketGetsTheLocalSyslogFormat()
    {
        using var directory = new TempDirectory();
        var path = directory.File("log");
        using var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        receiver.Bind(new UnixDomainSocketEndPoint(path));
        var notification = Events.StateChange();

        await new SyslogChannel(new NotificationChannelDefinition { Name = "local", Type = "Syslog", Transport = "Unix", SocketPath = path })
            .SendAsync(notification, CancellationToken.None);
        var buffer = new byte[9000];
        var received = receiver.Receive(buffer);

        var line = Encoding.UTF8.GetString(buffer, 0, received);
        Assert.Matches($"^<28>Mar  1 12:00:00 kdcha\\[\\d+\\]: Warning: VrrpStateChanged on kdc1 \\(VI_1\\): VI_1 BACKUP -> MASTER \\[id={notification.Id}\\]$", line);
    }

    [Fact]
    public async Task AMissingUnixSocketIsATransientFailure()
    {
        using var directory = new TempDirectory();
        var channel = new SyslogChannel(new NotificationChannelDefinition { Name = "local", Type = "Syslog", Transport = "Unix", SocketPath = directory.File("absent") });

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => channel.SendAsync(Events.StateChange(), CancellationToken.None));

        Assert.False(failure.IsPermanent);
    }

    [Fact]
    public async Task AnOversizedDatagramIsClippedOnACharacterBoundary()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;

        await Channel("Udp", port).SendAsync(Events.StateChange() with { Message = new string('é', 20000) }, CancellationToken.None);
        var datagram = await receiver.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(datagram.Buffer.Length <= 8192);
        Assert.DoesNotContain('\uFFFD', new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(datagram.Buffer));
    }

    private static SyslogChannel Channel(string transport, int port, int? facility = null) =>
        new(new NotificationChannelDefinition { Name = "syslog", Type = "Syslog", Transport = transport, Server = "127.0.0.1", Port = port, Facility = facility });
}
