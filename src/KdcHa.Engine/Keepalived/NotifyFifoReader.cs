using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Keepalived;

/// <summary>
/// Reads keepalived's notify FIFO (<c>notify_fifo</c> / <c>vrrp_notify_fifo</c>) line by line.
/// </summary>
/// <remarks>
/// The FIFO is opened read-write first: on Linux that open never blocks, and holding a writer ourselves means the
/// FIFO never reaches end-of-file when keepalived stops or restarts, so one reader survives keepalived restarts and
/// sees the lines the next keepalived writes. ReadAsync therefore returns null only after Dispose. Lines that are
/// not VRRP notifications (checker lines, garbage) are skipped; a line longer than
/// <see cref="VrrpNotification.MaximumLineLength"/> is discarded up to its newline without being buffered.
/// </remarks>
public sealed class NotifyFifoReader : IVrrpNotificationSource
{
    private readonly FileStream _keepOpen;
    private readonly FileStream _input;
    private readonly byte[] _buffer = new byte[4096];
    private readonly byte[] _line = new byte[VrrpNotification.MaximumLineLength];
    // A cancelled wait leaves the read pending and the next call takes it up, so cancelling never loses a line.
    private Task<int>? _pendingRead;
    private int _bufferStart;
    private int _bufferEnd;
    private int _lineLength;
    private bool _discarding;
    private volatile bool _disposed;

    public NotifyFifoReader(string fifoPath)
    {
        FifoPath = fifoPath;
        _keepOpen = new FileStream(fifoPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        try
        {
            _input = new FileStream(fifoPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        }
        catch
        {
            _keepOpen.Dispose();
            throw;
        }
    }

    public string FifoPath { get; }

    /// <summary>The next VRRP notification, waiting as long as it takes; null once disposed.</summary>
    public async Task<VrrpNotification?> ReadAsync(CancellationToken cancellationToken)
    {
        while (!_disposed)
        {
            if (_bufferStart == _bufferEnd)
            {
                int count;
                try
                {
                    // A FIFO read blocks in the kernel until keepalived writes, and FileStream.ReadAsync would block a
                    // thread-pool thread for that long; a long-running monitor on a small machine cannot spare one.
                    _pendingRead ??= Task.Factory.StartNew(() => _input.Read(_buffer, 0, _buffer.Length), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                    count = await _pendingRead.WaitAsync(cancellationToken).ConfigureAwait(false);
                    _pendingRead = null;
                }
                catch (Exception e) when (_disposed && e is ObjectDisposedException or IOException)
                {
                    return null;
                }

                if (count <= 0 || _disposed)
                {
                    return null;
                }

                _bufferStart = 0;
                _bufferEnd = count;
            }

            if (TakeLine() is { } line && VrrpNotification.TryParse(line, DateTime.UtcNow, out var notification))
            {
                return notification;
            }
        }

        return null;
    }

    private string? TakeLine()
    {
        while (_bufferStart < _bufferEnd)
        {
            var b = _buffer[_bufferStart++];
            if (b == (byte)'\n')
            {
                var complete = !_discarding;
                var length = _lineLength;
                _lineLength = 0;
                _discarding = false;
                return complete ? Encoding.UTF8.GetString(_line, 0, length) : null;
            }

            if (_lineLength == _line.Length)
            {
                _discarding = true;
            }
            else if (!_discarding)
            {
                _line[_lineLength++] = b;
            }
        }

        return null;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // Wakes a read blocked in the kernel: closing the descriptor alone does not.
            _keepOpen.Write(new[] { (byte)'\n' }, 0, 1);
        }
        catch (IOException)
        {
            // The FIFO is already gone; nothing is blocked on it.
        }

        _input.Dispose();
        _keepOpen.Dispose();
    }
}

/// <summary>Where keepalived's state changes arrive: the notify FIFO in production, a script in unit tests.</summary>
public interface IVrrpNotificationSource : IDisposable
{
    /// <summary>The next notification, waiting as long as it takes; null once disposed.</summary>
    Task<VrrpNotification?> ReadAsync(CancellationToken cancellationToken);
}
