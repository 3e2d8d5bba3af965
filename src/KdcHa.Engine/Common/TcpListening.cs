using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Common;

/// <summary>How the monitor's small TCP listeners (HAProxy's agent check, the metrics endpoint) bind and accept.</summary>
internal static class TcpListening
{
    private const int SocketLevel = 1; // SOL_SOCKET on Linux
    private const int ReuseAddressOption = 2; // SO_REUSEADDR on Linux

    // An accept that fails at once (no file descriptors left, a peer gone before the accept) is retried after this
    // long instead of spinning.
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

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

    /// <summary>Hands every accepted connection to <paramref name="accepted"/> until the listener closes or <paramref name="stop"/> fires.</summary>
    public static async Task AcceptAsync(Socket listener, Action<Socket> accepted, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stop).ConfigureAwait(false);
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
