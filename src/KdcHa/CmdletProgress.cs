using System.Management.Automation;

namespace KdcHa;

/// <summary>
/// A cmdlet's one progress bar. Its activity id is derived from the cmdlet's name, so it is the same in every run and
/// every process (string.GetHashCode is randomised per process) and differs between cmdlets; scripts and tests can
/// recognise the bar, and consecutive steps of one cmdlet replace each other instead of stacking.
/// </summary>
internal sealed class CmdletProgress
{
    private readonly Cmdlet _cmdlet;
    private readonly int _activityId;
    private readonly string _activity;
    private ProgressRecord? _shown;

    public CmdletProgress(Cmdlet cmdlet, string commandName, string activity)
    {
        _cmdlet = cmdlet;
        _activityId = ActivityIdOf(commandName);
        _activity = activity;
    }

    /// <summary>FNV-1a of the name, without the sign bit (ProgressRecord refuses a negative id).</summary>
    public static int ActivityIdOf(string commandName)
    {
        var hash = 2166136261u;
        foreach (var c in commandName)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & int.MaxValue);
    }

    /// <summary>Shows what happens now; <paramref name="percentComplete"/> -1 when the end cannot be told.</summary>
    public void Report(string status, string? currentOperation = null, int percentComplete = -1)
    {
        // A new record each time: hosts and PowerShell.Streams.Progress keep the object they were given.
        _shown = new ProgressRecord(_activityId, _activity, status)
        {
            CurrentOperation = currentOperation,
            PercentComplete = percentComplete,
        };
        _cmdlet.WriteProgress(_shown);
    }

    /// <summary>
    /// Removes the bar if one was shown; safe in a finally. A stopped pipeline (Ctrl+C) refuses every write, and the
    /// host then drops the bars of the stopped command itself.
    /// </summary>
    public void Complete()
    {
        if (_shown is null)
        {
            return;
        }

        var completed = new ProgressRecord(_activityId, _activity, _shown.StatusDescription)
        {
            CurrentOperation = _shown.CurrentOperation,
            PercentComplete = _shown.PercentComplete,
            RecordType = ProgressRecordType.Completed,
        };
        _shown = null;
        try
        {
            _cmdlet.WriteProgress(completed);
        }
        catch (PipelineStoppedException)
        {
        }
    }
}
