using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Tests.Notification;

/// <summary>
/// A TCP server on 127.0.0.1 that plays the next of its scripts to each connection, round robin: the hostile SMTP
/// or HTTP peer of the reply fuzz tests. A script ends when it returns, when the client goes away, or at dispose.
/// </summary>
internal sealed class HostileLoopbackServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyList<Func<HostileConnection, Task>> _scripts;
    private readonly CancellationTokenSource _stop = new();
    private int _next = -1;

    public HostileLoopbackServer(IReadOnlyList<Func<HostileConnection, Task>> scripts)
    {
        _scripts = scripts;
        _listener.Start(backlog: 512);
        _ = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var script = _scripts[(int)((uint)Interlocked.Increment(ref _next) % (uint)_scripts.Count)];
            _ = Task.Run(() => PlayAsync(client, script));
        }
    }

    private async Task PlayAsync(TcpClient client, Func<HostileConnection, Task> script)
    {
        using (client)
        {
            client.NoDelay = true;
            try
            {
                await script(new HostileConnection(client.GetStream(), _stop.Token)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client gave up or the test ended: what the script was doing no longer matters.
            }
        }
    }
}

/// <summary>One connection as a script sees it: read what the client says, write whatever the script likes.</summary>
internal sealed class HostileConnection
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _buffered;
    private int _position;

    public HostileConnection(NetworkStream stream, CancellationToken stopping)
    {
        Stream = stream;
        Stopping = stopping;
    }

    public NetworkStream Stream { get; }

    public CancellationToken Stopping { get; }

    /// <summary>Reads up to and including <paramref name="terminator"/>; returns null when the client closed first.</summary>
    public async Task<string?> ReadUntilAsync(string terminator)
    {
        var text = new StringBuilder();
        while (true)
        {
            if (_position == _buffered)
            {
                _buffered = await Stream.ReadAsync(_buffer, Stopping).ConfigureAwait(false);
                _position = 0;
                if (_buffered == 0)
                {
                    return null;
                }
            }

            text.Append((char)_buffer[_position++]);
            if (text.Length >= terminator.Length && text.ToString(text.Length - terminator.Length, terminator.Length) == terminator)
            {
                return text.ToString();
            }
        }
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes, or until the client closes.</summary>
    public async Task SkipAsync(int count)
    {
        while (count > 0)
        {
            if (_position == _buffered)
            {
                _buffered = await Stream.ReadAsync(_buffer, Stopping).ConfigureAwait(false);
                _position = 0;
                if (_buffered == 0)
                {
                    return;
                }
            }

            var taken = Math.Min(count, _buffered - _position);
            _position += taken;
            count -= taken;
        }
    }

    public async Task WriteAsync(byte[] data) => await Stream.WriteAsync(data, Stopping).ConfigureAwait(false);

    public Task WriteAsync(string text) => WriteAsync(Encoding.Latin1.GetBytes(text));

    /// <summary>Writes <paramref name="chunk"/> again and again until the client stops reading and goes away.</summary>
    public async Task WriteForeverAsync(byte[] chunk)
    {
        while (true)
        {
            await Stream.WriteAsync(chunk, Stopping).ConfigureAwait(false);
        }
    }

    /// <summary>One byte every <paramref name="interval"/>, forever: a slowloris reply.</summary>
    public async Task TrickleAsync(byte value, TimeSpan interval)
    {
        while (true)
        {
            await Stream.WriteAsync(new[] { value }, Stopping).ConfigureAwait(false);
            await Task.Delay(interval, Stopping).ConfigureAwait(false);
        }
    }

    /// <summary>Says nothing until the client goes away.</summary>
    public async Task HangAsync()
    {
        while (await Stream.ReadAsync(_buffer, Stopping).ConfigureAwait(false) > 0)
        {
        }
    }
}
