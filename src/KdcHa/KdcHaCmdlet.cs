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
        using var queue = new QueuedOutput();
        var task = Task.Run(() => operation(queue, CancellationToken));
        _ = task.ContinueWith(_ => queue.Complete(), TaskScheduler.Default);
        var pipeline = new PipelineThreadOutput(this, activity);
        try
        {
            foreach (var write in queue.Drain())
            {
                write(pipeline);
            }

            return task.GetAwaiter().GetResult();
        }
        finally
        {
            pipeline.Progress.Complete();
            queue.Complete();
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
        // Loading is quick and synchronous, so it runs here and writes its warnings directly: a hop to the thread
        // pool and back cost more CPU than the load itself (bench A/B: 1.1 -> 3.1 ms CPU per Test-KdcHealth call).
        var output = new PipelineThreadOutput(this, "Loading the keytab");
        try
        {
            return KdcProbeTargetFactory.LoadKeytab(path, output);
        }
        catch (KdcHaException e)
        {
            ThrowTerminatingError(EngineError(e, keytabPath, KdcHaErrors.KeytabUnreadable));
            throw;
        }
        finally
        {
            output.Progress.Complete();
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

    /// <summary>
    /// Writes straight to the pipeline, so only the pipeline thread may use it: for engine calls made on that thread,
    /// and for the writes <see cref="RunOnPipeline"/> replays there.
    /// </summary>
    private sealed class PipelineThreadOutput : IOperationOutput
    {
        private readonly KdcHaCmdlet _cmdlet;

        public PipelineThreadOutput(KdcHaCmdlet cmdlet, string activity)
        {
            _cmdlet = cmdlet;
            Progress = new CmdletProgress(cmdlet, cmdlet.MyInvocation.MyCommand.Name, activity);
        }

        public CmdletProgress Progress { get; }

        public void WriteVerbose(string message) => _cmdlet.WriteVerbose(message);

        public void WriteWarning(string message) => _cmdlet.WriteWarning(message);

        public void WriteProgress(string stage, string status) => Progress.Report(status, stage);

        public void WriteObject(object value) => _cmdlet.WriteObject(value);
    }

    /// <summary>The queue behind <see cref="RunOnPipeline"/>: any thread adds a write, the pipeline thread replays it.</summary>
    private sealed class QueuedOutput : IOperationOutput, IDisposable
    {
        private readonly BlockingCollection<Action<IOperationOutput>> _writes = new();

        public void WriteVerbose(string message) => Add(output => output.WriteVerbose(message));

        public void WriteWarning(string message) => Add(output => output.WriteWarning(message));

        public void WriteProgress(string stage, string status) => Add(output => output.WriteProgress(stage, status));

        public void WriteObject(object value) => Add(output => output.WriteObject(value));

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

        public IEnumerable<Action<IOperationOutput>> Drain() => _writes.GetConsumingEnumerable();

        public void Dispose() => _writes.Dispose();

        private void Add(Action<IOperationOutput> write)
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
    }
}
