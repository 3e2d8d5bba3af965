using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace KdcHa.Monitor;

/// <summary>
/// Hands events from the monitor loop (thread pool) to one consuming thread, the cmdlet's pipeline thread, which
/// alone may write to the PowerShell pipeline.
/// </summary>
public sealed class MonitorEventQueue : IMonitorEventSink, IDisposable
{
    private readonly BlockingCollection<MonitorEvent> _events = new();

    public void Publish(MonitorEvent monitorEvent) => _events.Add(monitorEvent);

    /// <summary>No more events will come: the consumer's loop ends once the queue is empty.</summary>
    public void Complete() => _events.CompleteAdding();

    /// <summary>Every event, each as soon as it is published, until <see cref="Complete"/>.</summary>
    public IEnumerable<MonitorEvent> Consume() => _events.GetConsumingEnumerable(CancellationToken.None);

    public void Dispose() => _events.Dispose();
}
