using System;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Vrrp;

/// <summary>
/// netstandard2.0 socket and pipe reads take no CancellationToken. A cancelled wait leaves the read pending and the
/// next call picks it up, so cancelling never loses a packet or a line that was already on its way.
/// </summary>
internal sealed class PendingRead<T>
{
    private Task<T>? _pending;

    public async Task<T> NextAsync(Func<Task<T>> start, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var read = _pending ??= AbandonedTask.ObserveFault(start());
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), cancelled))
        {
            if (await Task.WhenAny(read, cancelled.Task).ConfigureAwait(false) != read)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        _pending = null;
        return await read.ConfigureAwait(false);
    }
}
