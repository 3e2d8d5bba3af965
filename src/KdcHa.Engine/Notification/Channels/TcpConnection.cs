using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification.Channels;

/// <summary>
/// A TCP connection that the caller's token can abort at any point: netstandard2.0 stream and connect calls take
/// no token, so cancellation closes the socket and the pending call fails, which <see cref="Run{T}"/> turns back
/// into an <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class TcpConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly CancellationTokenRegistration _abort;

    private TcpConnection(TcpClient client, CancellationToken cancellationToken)
    {
        _client = client;
        CancellationToken = cancellationToken;
        _abort = cancellationToken.Register(client.Dispose);
        Stream = Stream.Null;
    }

    public Stream Stream { get; set; }

    public CancellationToken CancellationToken { get; }

    public static async Task<TcpConnection> OpenAsync(string host, int port, CancellationToken cancellationToken)
    {
        var connection = new TcpConnection(new TcpClient { NoDelay = true }, cancellationToken);
        try
        {
            await connection.Run(() => connection._client.ConnectAsync(host, port)).ConfigureAwait(false);
            connection.Stream = connection._client.GetStream();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public async Task Run(Func<Task> operation)
    {
        await Run(async () =>
        {
            await operation().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    public async Task<T> Run<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception e) when (CancellationToken.IsCancellationRequested && e is IOException or SocketException or ObjectDisposedException)
        {
            throw new OperationCanceledException("The connection was closed because the attempt was cancelled or timed out.", e, CancellationToken);
        }
    }

    public void Dispose()
    {
        _abort.Dispose();
        Stream.Dispose();
        _client.Dispose();
    }
}
