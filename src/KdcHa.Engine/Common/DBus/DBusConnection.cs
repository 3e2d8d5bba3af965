using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Common.DBus;

/// <summary>
/// A client connection to a DBus bus over a unix socket: EXTERNAL authentication, Hello, method calls matched to
/// their replies by serial. Signals are not read: KdcHa asks for none. One receive
/// loop reads every message; each call and the handshake have a deadline, and a deadline that passes is a
/// <see cref="DBusConnectionException"/>, never a hang.
/// </summary>
/// <remarks>
/// Method calls addressed to this connection are not answered: KdcHa exports no objects, and the bus itself never
/// calls its clients.
/// </remarks>
public sealed class DBusConnection : IDisposable
{
    public const string BusName = "org.freedesktop.DBus";
    public const string BusPath = "/org/freedesktop/DBus";

    // The bus's SASL lines are "OK <32 hex digits>" or "REJECTED <mechanisms>"; far longer is not a bus.
    private const int MaximumAuthenticationLineLength = 512;

    private readonly Socket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<DBusMessage>> _pendingCalls = new();
    private readonly byte[] _receiveBuffer = new byte[4096];
    private int _receiveStart;
    private int _receiveEnd;
    private int _lastSerial;
    private volatile Exception? _failure;
    private volatile bool _disposed;

    private DBusConnection(Socket socket, string endpoint)
    {
        _socket = socket;
        Endpoint = endpoint;
    }

    /// <summary>The socket this connection reached, as a DBus address.</summary>
    public string Endpoint { get; }

    /// <summary>The name the bus gave this connection in its Hello reply, such as ":1.42".</summary>
    public string UniqueName { get; private set; } = string.Empty;

    /// <summary>Connects to the first alternative of <paramref name="address"/> that accepts, authenticates and says Hello.</summary>
    /// <exception cref="DBusConnectionException">No alternative answers, authentication is refused, or the handshake outlasts <paramref name="timeout"/>.</exception>
    /// <exception cref="DBusProtocolException">The bus answers with something that is not DBus.</exception>
    public static async Task<DBusConnection> ConnectAsync(DBusAddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var permissionDenied = false;
        foreach (var endpoint in address.Endpoints)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                // A unix socket connects or fails at once; only a full listen backlog could make this wait.
                socket.Connect(endpoint);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                permissionDenied |= e.SocketErrorCode == SocketError.AccessDenied;
                failures.Add($"{endpoint}: {e.Message}");
                continue;
            }

            var connection = new DBusConnection(socket, endpoint.ToString());
            try
            {
                await connection.StartAsync(timeout, cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        throw new DBusConnectionException($"No DBus bus answers at {address}: {string.Join("; ", failures)}", permissionDenied);
    }

    /// <summary>Calls a method and waits up to <paramref name="timeout"/> for its reply.</summary>
    /// <exception cref="DBusErrorException">The peer answered with an error.</exception>
    /// <exception cref="DBusConnectionException">No reply in time, or the connection failed.</exception>
    /// <exception cref="DBusProtocolException">The bus sent bytes that are not DBus.</exception>
    public async Task<DBusMessage> CallAsync(string destination, string path, string @interface, string member, string signature, IReadOnlyList<object> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        var serial = (uint)Interlocked.Increment(ref _lastSerial);
        var call = new DBusMessage(DBusMessageType.MethodCall, serial)
        {
            Destination = destination,
            Path = path,
            Interface = @interface,
            Member = member,
            Signature = signature,
            Body = arguments,
        };
        var reply = new TaskCompletionSource<DBusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingCalls[serial] = reply;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        DBusMessage message;
        try
        {
            await SendAsync(call.Encode(), deadline.Token).ConfigureAwait(false);

            // The receive loop may have failed before this call was registered; it would never complete it then.
            ThrowIfFailed();
            message = await reply.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DBusConnectionException($"{@interface}.{member} on {destination} {path} got no reply within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s over {Endpoint}.");
        }
        finally
        {
            _pendingCalls.TryRemove(serial, out _);
        }

        return message.Type == DBusMessageType.Error
            ? throw new DBusErrorException(message.ErrorName!, message.FirstString ?? "(no message)")
            : message;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Fail(new DBusConnectionException($"The connection to {Endpoint} was closed."));
        _socket.Dispose();
    }

    private async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await AuthenticateAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DBusConnectionException($"The bus at {Endpoint} did not complete authentication within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        }

        _ = Task.Run(ReceiveLoopAsync, CancellationToken.None);
        var hello = await CallAsync(BusName, BusPath, BusName, "Hello", string.Empty, Array.Empty<object>(), timeout, cancellationToken).ConfigureAwait(false);
        UniqueName = hello.Signature == "s" ? (string)hello.Body[0] : throw new DBusProtocolException($"The bus answered Hello with '{hello.Signature}', not a name.");
    }

    private async Task AuthenticateAsync(CancellationToken cancellationToken)
    {
        // The leading NUL is the credentials byte; EXTERNAL then names the uid, as hex-encoded decimal digits.
        var uid = LibC.GetEffectiveUserId().ToString(CultureInfo.InvariantCulture);
        var hexUid = string.Concat(Encoding.ASCII.GetBytes(uid).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        await SendAsync(Encoding.ASCII.GetBytes($"\0AUTH EXTERNAL {hexUid}\r\n"), cancellationToken).ConfigureAwait(false);
        var answer = await ReadAuthenticationLineAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (answer.StartsWith("REJECTED", StringComparison.Ordinal))
        {
            throw new DBusConnectionException($"The bus at {Endpoint} refused EXTERNAL authentication for uid {uid}.", permissionDenied: true);
        }

        if (!answer.StartsWith("OK ", StringComparison.Ordinal))
        {
            throw new DBusProtocolException($"The bus at {Endpoint} answered AUTH with '{answer}', not OK or REJECTED.");
        }

        await SendAsync(Encoding.ASCII.GetBytes("BEGIN\r\n"), cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> ReadAuthenticationLineAsync()
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (!(line.Count >= 2 && line[line.Count - 2] == '\r' && line[line.Count - 1] == '\n'))
        {
            if (line.Count == MaximumAuthenticationLineLength)
            {
                throw new DBusProtocolException($"The bus at {Endpoint} sent an authentication line longer than {MaximumAuthenticationLineLength} bytes.");
            }

            await ReadExactlyAsync(one, 0, 1, endOfStreamAllowed: false).ConfigureAwait(false);
            line.Add(one[0]);
        }

        return Encoding.ASCII.GetString(line.ToArray(), 0, line.Count - 2);
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            var prefix = new byte[DBusMessage.PrefixLength];
            while (await ReadExactlyAsync(prefix, 0, prefix.Length, endOfStreamAllowed: true).ConfigureAwait(false))
            {
                var bytes = new byte[DBusMessage.FrameLength(prefix)];
                Buffer.BlockCopy(prefix, 0, bytes, 0, prefix.Length);
                await ReadExactlyAsync(bytes, prefix.Length, bytes.Length - prefix.Length, endOfStreamAllowed: false).ConfigureAwait(false);
                Dispatch(DBusMessage.Decode(bytes));
            }

            Fail(new DBusConnectionException($"The bus at {Endpoint} closed the connection."));
        }
        catch (DBusProtocolException e)
        {
            Fail(e);
            _socket.Dispose();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or DBusConnectionException)
        {
            Fail(e as DBusConnectionException ?? new DBusConnectionException($"The connection to {Endpoint} failed: {e.Message}", e));
        }
    }

    private void Dispatch(DBusMessage message)
    {
        switch (message.Type)
        {
            case DBusMessageType.MethodReturn or DBusMessageType.Error:
                if (_pendingCalls.TryRemove(message.ReplySerial!.Value, out var call))
                {
                    call.TrySetResult(message);
                }

                break;
        }
    }

    private void Fail(Exception failure)
    {
        _failure ??= failure;
        foreach (var serial in _pendingCalls.Keys)
        {
            if (_pendingCalls.TryRemove(serial, out var call))
            {
                call.TrySetException(Rethrowable(failure));
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw Rethrowable(failure);
        }
    }

    /// <summary>A fresh exception per thrower, so each carries its own stack; protocol failures stay protocol failures.</summary>
    private static Exception Rethrowable(Exception failure) => failure is DBusProtocolException
        ? new DBusProtocolException(failure.Message, failure)
        : new DBusConnectionException(failure.Message, failure, (failure as DBusConnectionException)?.PermissionDenied ?? false);

    private async Task SendAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sent = 0;
            while (sent < bytes.Length)
            {
                sent += await _socket.SendAsync(new ArraySegment<byte>(bytes, sent, bytes.Length - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Part of a message may be on the wire: nothing sent after it could be understood.
            Fail(new DBusConnectionException($"A send to {Endpoint} did not complete in time; the connection is abandoned."));
            _socket.Dispose();
            throw;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            throw new DBusConnectionException($"Sending to {Endpoint} failed: {e.Message}", e);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Fills the range from the receive buffer and the socket; false only for a clean end of stream at its start.</summary>
    private async Task<bool> ReadExactlyAsync(byte[] target, int offset, int count, bool endOfStreamAllowed)
    {
        var filled = 0;
        while (filled < count)
        {
            if (_receiveStart == _receiveEnd)
            {
                var received = await _socket.ReceiveAsync(new ArraySegment<byte>(_receiveBuffer), SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    return filled == 0 && endOfStreamAllowed
                        ? false
                        : throw new DBusConnectionException($"The bus at {Endpoint} closed the connection in the middle of a message.");
                }

                _receiveStart = 0;
                _receiveEnd = received;
            }

            var take = Math.Min(count - filled, _receiveEnd - _receiveStart);
            Buffer.BlockCopy(_receiveBuffer, _receiveStart, target, offset + filled, take);
            _receiveStart += take;
            filled += take;
        }

        return true;
    }
}
