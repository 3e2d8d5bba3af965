using System;
using System.Collections.Concurrent;
using KdcHa.Common;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

/// <summary>Records the stages a switchover reports as progress.</summary>
internal sealed class RecordingProgress : IOperationOutput
{
    public ConcurrentQueue<SwitchoverStage> Stages { get; } = new();

    public void WriteProgress(string stage, string status) => Stages.Enqueue(Enum.Parse<SwitchoverStage>(stage));

    public void WriteVerbose(string message)
    {
    }

    public void WriteWarning(string message)
    {
    }

    public void WriteObject(object value)
    {
    }
}
