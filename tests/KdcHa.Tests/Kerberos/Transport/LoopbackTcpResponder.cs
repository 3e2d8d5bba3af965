using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace KdcHa.Tests.Kerberos.Transport;

/// <summary>A TCP "KDC" on loopback running the handler on each accepted connection; everything is closed on dispose.</summary>
internal sealed class LoopbackTcpResponder : IDisposable
{
    private readonly Socket _listener;
    private readonly Task _acceptLoop;
    private readonly List<Socket> _connections = new();

    public LoopbackTcpResponder(IPAddress address, Func<Socket, Task> handler, int backlog = 16, bool accept = true)
    {
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(backlog);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = accept ? Task.Run(() => AcceptAsync(handler)) : Task.CompletedTask;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Reads one framed request and answers with <paramref name="reply"/> framed.</summary>
    public static LoopbackTcpResponder Framed(IPAddress address, Func<byte[], byte[]> reply) =>
        new(address, async connection =>
        {
            var request = await ReadFramedAsync(connection);
            await connection.SendAsync(Frame(reply(request)), SocketFlags.None);
        });

    /// <summary>Reads the request, then sends <paramref name="raw"/> verbatim and closes.</summary>
    public static LoopbackTcpResponder Raw(IPAddress address, byte[] raw) =>
        new(address, async connection =>
        {
            await ReadFramedAsync(connection);
            await connection.SendAsync(raw, SocketFlags.None);
        });

    /// <summary>Accepts and never answers: a SIGSTOPped KDC whose kernel still completes handshakes.</summary>
    public static LoopbackTcpResponder Mute(IPAddress address) =>
        new(address, async connection =>
        {
            // Keeps reading so the request is consumed, until the client gives up and closes.
            var sink = new byte[4096];
            while (await connection.ReceiveAsync(sink, SocketFlags.None) > 0)
            {
            }
        });

    public static byte[] Frame(byte[] message)
    {
        var framed = new byte[4 + message.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed, message.Length);
        message.CopyTo(framed, 4);
        return framed;
    }

    public static async Task<byte[]> ReadFramedAsync(Socket connection)
    {
        var prefix = await ReadExactlyAsync(connection, 4);
        return await ReadExactlyAsync(connection, BinaryPrimitives.ReadInt32BigEndian(prefix));
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }

        try
        {
            // Handlers such as Mute never end on their own; they are abandoned with their sockets closed.
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket connection, int count)
    {
        var buffer = new byte[count];
        var received = 0;
        while (received < count)
        {
            var read = await connection.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            received += read;
        }

        return buffer;
    }

    private async Task AcceptAsync(Func<Socket, Task> handler)
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync();
            }
            catch (Exception exception) when (exception is ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(connection);
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await handler(connection);
                }
                catch (Exception exception) when (exception is ObjectDisposedException or SocketException or EndOfStreamException)
                {
                }
                finally
                {
                    connection.Dispose();
                }
            });
        }
    }
}
