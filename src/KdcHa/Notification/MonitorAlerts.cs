using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using KdcHa.Notification.Channels;

namespace KdcHa.Notification;

/// <summary>
/// Start-KdcHaMonitor's alerting: the dispatcher, what it owns, and the chosen channels. Progress (the dispatcher's
/// log lines and delivery results) is written by the pipeline thread, the only one allowed to.
/// </summary>
internal sealed class MonitorAlerts : IDisposable
{
    private readonly HttpClientPoster _poster;
    private readonly QueuedNotificationLog _log;

    public MonitorAlerts(NotificationDispatcher dispatcher, HttpClientPoster poster, QueuedNotificationLog log, IReadOnlyList<string> channels)
    {
        Dispatcher = dispatcher;
        _poster = poster;
        _log = log;
        Channels = channels;
    }

    public NotificationDispatcher Dispatcher { get; }

    public IReadOnlyList<string> Channels { get; }

    public void WriteProgress(Cmdlet cmdlet)
    {
        foreach (var line in _log.Drain())
        {
            cmdlet.WriteVerbose(line);
        }

        foreach (var result in Dispatcher.TakeResults())
        {
            cmdlet.WriteVerbose($"Alert {result.EventId} ({result.Kind}) to '{result.Channel}': {result.Status}. {result.Message}");
        }
    }

    /// <summary>Gives the channels <paramref name="grace"/> to deliver what is spooled; warns about what stays spooled.</summary>
    public void Flush(Cmdlet cmdlet, TimeSpan grace)
    {
        var delivered = Dispatcher.FlushAsync(grace, CancellationToken.None).GetAwaiter().GetResult();
        WriteProgress(cmdlet);
        if (!delivered)
        {
            var pending = Dispatcher.PendingResults();
            cmdlet.WriteWarning($"{pending.Count} alert(s) not delivered within {grace.TotalSeconds:0} s stay spooled for the next monitor or Send-KdcHaNotification -Pending: " +
                string.Join("; ", pending.Select(result => $"{result.EventId} to '{result.Channel}': {result.Message}")));
        }
    }

    public void Dispose()
    {
        Dispatcher.Dispose();
        _poster.Dispose();
    }
}
