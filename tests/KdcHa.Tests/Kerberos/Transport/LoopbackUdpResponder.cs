using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace KdcHa.Tests.Kerberos.Transport;

/// <summary>
/// A UDP "KDC" on loopback; the handler sees each datagram and returns the reply, or null to stay silent. A burst
/// responder sends several datagrams per request, all from the KDC's own address and port, as a forger would.
/// </summary>
internal sealed class LoopbackUdpResponder : IDisposable
{
    private readonly Socket _socket;
    private readonly Task _loop;
    private readonly List<byte[]> _received = new();

    /// <summary>Binds <paramref name="port"/> (0: any free one); a TCP responder's port makes one KDC endpoint for both transports.</summary>
    public LoopbackUdpResponder(IPAddress address, Func<UdpDatagram, Task<byte[]?>> handler, int port = 0)
        : this(address, async datagram => await handler(datagram) is { } reply ? new[] { reply } : Array.Empty<byte[]>(), port)
    {
    }

    private LoopbackUdpResponder(IPAddress address, Func<UdpDatagram, Task<byte[][]>> handler, int port)
    {
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(address, port));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(() => ServeAsync(handler));
    }

    public IPEndPoint EndPoint { get; }

    public IReadOnlyList<byte[]> Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToList();
            }
        }
    }

    public static LoopbackUdpResponder Echo(IPAddress address, Func<byte[], byte[]> reply) =>
        new(address, datagram => Task.FromResult<byte[]?>(reply(datagram.Payload)));

    public static LoopbackUdpResponder Burst(IPAddress address, Func<byte[], byte[][]> replies) =>
        new(address, datagram => Task.FromResult(replies(datagram.Payload)), 0);

    public static LoopbackUdpResponder Silent(IPAddress address) => new(address, _ => Task.FromResult<byte[]?>(null));

    public void Dispose()
    {
        _socket.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The handler's own failure already showed up as a wrong reply in the test.
        }
    }

    private async Task ServeAsync(Func<UdpDatagram, Task<byte[][]>> handler)
    {
        var buffer = new byte[65536];
        for (var index = 0; ; index++)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(EndPoint.Address, 0));
            }
            catch (Exception exception) when (exception is ObjectDisposedException or SocketException)
            {
                return;
            }

            var payload = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            lock (_received)
            {
                _received.Add(payload);
            }

            var client = (IPEndPoint)received.RemoteEndPoint;
            foreach (var reply in await handler(new UdpDatagram(payload, index, client)))
            {
                try
                {
                    await _socket.SendToAsync(reply, SocketFlags.None, client);
                }
                catch (Exception exception) when (exception is ObjectDisposedException or SocketException)
                {
                    return;
                }
            }
        }
    }
}

internal sealed record UdpDatagram(byte[] Payload, int Index, IPEndPoint Client);
