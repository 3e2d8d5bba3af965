using System.Collections.Concurrent;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

internal sealed class RecordingProgress : ISwitchoverProgress
{
    public ConcurrentQueue<SwitchoverStage> Stages { get; } = new();

    public void Report(SwitchoverStage stage, string message) => Stages.Enqueue(stage);
}
