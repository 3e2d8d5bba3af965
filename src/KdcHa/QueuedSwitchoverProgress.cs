using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using KdcHa.Vip;

namespace KdcHa;

/// <summary>
/// Carries progress from the engine's thread to the pipeline thread, the only one allowed to write it: the engine
/// adds, the cmdlet drains until the engine's task has ended.
/// </summary>
internal sealed class QueuedSwitchoverProgress : ISwitchoverProgress, IDisposable
{
    private readonly BlockingCollection<(SwitchoverStage Stage, string Message)> _queue = new();

    public void Report(SwitchoverStage stage, string message) => _queue.Add((stage, message));

    public void Complete() => _queue.CompleteAdding();

    public IEnumerable<(SwitchoverStage Stage, string Message)> Drain() => _queue.GetConsumingEnumerable();

    public void Dispose() => _queue.Dispose();
}
