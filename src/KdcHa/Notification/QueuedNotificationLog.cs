using System.Collections.Concurrent;
using System.Collections.Generic;

namespace KdcHa.Notification;

/// <summary>
/// Collects the engine's progress lines from its background threads; the cmdlet writes them as verbose output on
/// the pipeline thread, the only thread allowed to call Write*. Every line is redacted on the way in.
/// </summary>
internal sealed class QueuedNotificationLog : INotificationLog
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SecretRedactor _redactor;

    public QueuedNotificationLog(SecretRedactor redactor)
    {
        _redactor = redactor;
    }

    public void Write(string message) => _lines.Enqueue(_redactor.Redact(message));

    public IEnumerable<string> Drain()
    {
        while (_lines.TryDequeue(out var line))
        {
            yield return line;
        }
    }
}
