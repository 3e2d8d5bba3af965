using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Kerberos.Health;
using KeytabFile = KdcHa.Kerberos.Keytab.Keytab;

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

    /// <summary>
    /// Runs an engine operation on the thread pool and writes what it reports (verbose, warning, progress, objects)
    /// from this thread, the only one PowerShell lets write, until the operation ends; then completes the cmdlet's
    /// progress bar (also when the operation failed) and returns its result or rethrows what it threw. Ctrl+C cancels the token; if writing fails (the pipeline was stopped), the operation
    /// still gets <paramref name="shutdownGrace"/> to finish its own clean-up before the cmdlet returns.
    /// </summary>
    protected T RunOnPipeline<T>(string activity, Func<IOperationOutput, CancellationToken, Task<T>> operation, TimeSpan? shutdownGrace = null)
    {
        using var output = new PipelineOutput();
        var task = Task.Run(() => operation(output, CancellationToken));
        _ = task.ContinueWith(_ => output.Complete(), TaskScheduler.Default);
        var progress = new CmdletProgress(this, MyInvocation.MyCommand.Name, activity);
        try
        {
            foreach (var write in output.Drain())
            {
                switch (write)
                {
                    case PipelineOutput.Verbose verbose:
                        WriteVerbose(verbose.Message);
                        break;
                    case PipelineOutput.Warning warning:
                        WriteWarning(warning.Message);
                        break;
                    case PipelineOutput.Progress step:
                        progress.Report(step.Status, step.Stage);
                        break;
                    case PipelineOutput.Result result:
                        WriteObject(result.Value);
                        break;
                }
            }

            return task.GetAwaiter().GetResult();
        }
        finally
        {
            progress.Complete();
            output.Complete();
            if (!task.IsCompleted)
            {
                task.Wait(shutdownGrace ?? TimeSpan.Zero);
            }
        }
    }

    /// <summary>An ErrorRecord with an id (and so the category) from the one catalogue, <see cref="KdcHaErrors"/>.</summary>
    protected internal ErrorRecord NewError(Exception exception, KdcHaError error, object? target) => KdcHaErrors.For(exception, error, target);

    /// <summary>
    /// The ErrorRecord of an engine failure: the same exception type has the same ErrorId in every cmdlet.
    /// <paramref name="unlisted"/> names what this cmdlet calls an engine failure the catalogue does not list.
    /// </summary>
    protected ErrorRecord EngineError(KdcHaException exception, object? target, KdcHaError unlisted) => KdcHaErrors.For(exception, target, unlisted);

    /// <summary>Loads a keytab named by a PowerShell path, writing its warnings here and its failures as terminating errors.</summary>
    protected KeytabFile LoadKeytab(string keytabPath)
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(keytabPath);
        try
        {
            return RunOnPipeline("Loading the keytab", (output, _) => Task.FromResult(KdcProbeTargetFactory.LoadKeytab(path, output)));
        }
        catch (KdcHaException e)
        {
            ThrowTerminatingError(EngineError(e, keytabPath, KdcHaErrors.KeytabUnreadable));
            throw;
        }
    }

    protected static string NameOf(string principal)
    {
        var at = principal.LastIndexOf('@');
        return at < 0 ? principal : principal.Substring(0, at);
    }

    protected static string? RealmOf(string? principal)
    {
        var at = principal?.LastIndexOf('@') ?? -1;
        return at < 0 || at == principal!.Length - 1 ? null : principal.Substring(at + 1);
    }

    /// <summary>The queue behind <see cref="RunOnPipeline"/>: any thread adds, the pipeline thread drains.</summary>
    private sealed class PipelineOutput : IOperationOutput, IDisposable
    {
        private readonly BlockingCollection<object> _writes = new();

        public void WriteVerbose(string message) => Add(new Verbose(message));

        public void WriteWarning(string message) => Add(new Warning(message));

        public void WriteProgress(string stage, string status) => Add(new Progress(stage, status));

        public void WriteObject(object value) => Add(new Result(value));

        public void Complete()
        {
            try
            {
                _writes.CompleteAdding();
            }
            catch (ObjectDisposedException)
            {
                // The operation outlived the cmdlet's grace and ended after the drain was gone.
            }
        }

        public IEnumerable<object> Drain() => _writes.GetConsumingEnumerable();

        public void Dispose() => _writes.Dispose();

        private void Add(object write)
        {
            // After the drain has ended (a stopped pipeline), late reports from clean-up code have nowhere to go;
            // once the drain is disposed, the same holds (ObjectDisposedException is an InvalidOperationException).
            try
            {
                if (!_writes.IsAddingCompleted)
                {
                    _writes.Add(write);
                }
            }
            catch (InvalidOperationException)
            {
            }
        }

        internal sealed record Verbose(string Message);

        internal sealed record Warning(string Message);

        internal sealed record Progress(string Stage, string Status);

        internal sealed record Result(object Value);
    }
}
