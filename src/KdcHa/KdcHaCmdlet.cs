using System;
using System.Management.Automation;
using System.Threading;

namespace KdcHa;

/// <summary>
/// Base of every KdcHa cmdlet: owns the cancellation that Ctrl+C (StopProcessing) triggers, so engine calls made
/// on the pipeline thread return promptly when the user stops the command.
/// </summary>
public abstract class KdcHaCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    protected CancellationToken CancellationToken => _stopping.Token;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>PowerShell disposes a cmdlet even when the pipeline fails or is stopped, unlike EndProcessing.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stopping.Dispose();
        }
    }

    protected ErrorRecord NewError(Exception exception, string errorId, ErrorCategory category, object? target) =>
        new(exception, errorId, category, target);
}
