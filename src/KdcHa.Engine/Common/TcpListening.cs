using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Common;

/// <summary>
/// One of the monitor's small TCP listeners (HAProxy's agent check, the metrics endpoint): hands every connection it
/// accepts to its owner, on the thread pool, until <see cref="StopAsync"/>.
/// </summary>
internal sealed class TcpListening
{
    private const int SocketLevel = 1; // SOL_SOCKET on Linux
    private const int ReuseAddressOption = 2; // SO_REUSEADDR on Linux

    // An accept that fails at once (no file descriptors left, a peer gone before the accept) is retried after this
    // long instead of spinning.
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Socket _listener;

    // Never disposed: exchanges still in progress after the stop hold tokens linked to it, and a source with no timer
    // holds nothing a dispose would free.
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _stopped;

    /// <summary>Starts accepting on <paramref name="listener"/> (from <see cref="Bind"/>), which it then owns.</summary>
    public TcpListening(Socket listener, Action<Socket> accepted)
    {
        _listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _accepting = Task.Run(() => AcceptAsync(accepted));
    }

    /// <summary>Where the listener is bound (the bound port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Cancelled when the stop begins, so exchanges in progress can end on it.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>
    /// A listening socket with SO_REUSEADDR alone: a restarted monitor binds its port again past TIME_WAIT (the
    /// listener closes first), while a second monitor cannot bind the same port, as .NET's ReuseAddress, which adds
    /// SO_REUSEPORT, would let it.
    /// </summary>
    /// <exception cref="SocketException">The address cannot be bound (in use, not on this host, no permission).</exception>
    public static Socket Bind(IPEndPoint endPoint, int backlog)
    {
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetRawSocketOption(SocketLevel, ReuseAddressOption, BitConverter.GetBytes(1));
            listener.Bind(endPoint);
            listener.Listen(backlog);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Closes the listener and waits for the accept loop to end; false when a stop has already run.</summary>
    public async Task<bool> StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return false;
        }

        _stop.Cancel();
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        return true;
    }

    private async Task AcceptAsync(Action<Socket> accepted)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(AcceptRetryDelay).ConfigureAwait(false);
                continue;
            }

            accepted(connection);
        }
    }
}
