using System.Collections.Concurrent;
using System.Linq;
using KdcHa.Common;
using KdcHa.Notification;

namespace KdcHa.Tests.Notification;

/// <summary>Keeps what an engine operation wrote, from any thread: its verbose lines and its delivery results.</summary>
internal sealed class RecordingOutput : IOperationOutput
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ConcurrentQueue<object> Objects { get; } = new();

    public NotificationDeliveryResult[] Results => Objects.OfType<NotificationDeliveryResult>().ToArray();

    public void WriteVerbose(string message) => Lines.Enqueue(message);

    public void WriteWarning(string message) => Lines.Enqueue(message);

    public void WriteProgress(string stage, string status)
    {
    }

    public void WriteObject(object value) => Objects.Enqueue(value);
}
