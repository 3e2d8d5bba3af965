namespace KdcHa.Common;

/// <summary>
/// What an engine operation tells its host while it runs, and the engine's only way to the PowerShell pipeline. The
/// cmdlet base implements it with a queue that the pipeline thread drains (KdcHaCmdlet.RunOnPipeline), so engine code
/// may call it from any thread; tests pass a recording implementation or <see cref="OperationOutput.None"/>.
/// </summary>
public interface IOperationOutput
{
    void WriteVerbose(string message);

    void WriteWarning(string message);

    /// <summary>One step of a long operation: <paramref name="stage"/> names the step, <paramref name="status"/> says what happens now.</summary>
    void WriteProgress(string stage, string status);

    /// <summary>A result object for the pipeline, in the order the operation produced it.</summary>
    void WriteObject(object value);
}

/// <summary>Ready-made outputs for callers that have no host.</summary>
public static class OperationOutput
{
    /// <summary>Discards everything: for engine callers that want only the operation's return value.</summary>
    public static IOperationOutput None { get; } = new NoOutput();

    private sealed class NoOutput : IOperationOutput
    {
        public void WriteVerbose(string message)
        {
        }

        public void WriteWarning(string message)
        {
        }

        public void WriteProgress(string stage, string status)
        {
        }

        public void WriteObject(object value)
        {
        }
    }
}
