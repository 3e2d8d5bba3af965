using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification;

namespace KdcHa.Tests.Notification;

/// <summary>
/// The composed alerting of a command: what Send-KdcHaNotification's delivery and Start-KdcHaMonitor's alerts
/// write and return. Command channels give each outcome without a network: /bin/true accepts, /bin/false fails
/// (retried, so it stays spooled), and a missing program is refused for good.
/// </summary>
public sealed class NotificationServiceTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly RecordingOutput _output = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task DeliveryWritesEveryOutcomeAndReturnsTheRefusalsAndWhatStaysSpooled()
    {
        using var service = Service(Command("ok", "/bin/true"), Command("broken", "/nonexistent/kdcha-hook"), Command("failing", "/bin/false"));
        service.Dispatcher.Enqueue(Events.Custom("disk full on kdc1"), _output);

        var report = await service.DeliverAsync(TimeSpan.FromSeconds(1), _output, CancellationToken.None);

        Assert.Equal(new[] { "broken" }, report.Rejected.Select(result => result.Channel));
        Assert.Equal(new[] { "failing" }, report.Pending.Select(result => result.Channel));
        var statuses = _output.Results.ToDictionary(result => result.Channel, result => result.Status);
        Assert.Equal(new Dictionary<string, string> { ["ok"] = "Delivered", ["broken"] = "Rejected", ["failing"] = "Pending" }, statuses);
        Assert.Contains(_output.Lines, line => line.StartsWith("Spooled event", StringComparison.Ordinal));
        Assert.Contains(_output.Lines, line => line.StartsWith("failing: attempt 1", StringComparison.Ordinal));
    }

    [Fact]
    public void MonitorAlertsShowEveryOutcomeAsAVerboseLineAndWarnAboutWhatStaysSpooled()
    {
        using var alerts = new MonitorAlerts(Service(Command("ok", "/bin/true"), Command("failing", "/bin/false")));
        alerts.Start(_output);
        alerts.Enqueue(Events.Custom("KDC down"));

        alerts.Flush(TimeSpan.FromSeconds(1));

        Assert.Empty(_output.Objects);
        Assert.Contains(_output.Lines, line => line.StartsWith("Alert ", StringComparison.Ordinal) && line.Contains("to 'ok': Delivered.", StringComparison.Ordinal));
        Assert.Contains(_output.Lines, line => line.StartsWith("1 alert(s) not delivered within 1 s", StringComparison.Ordinal) && line.Contains("to 'failing'", StringComparison.Ordinal));
    }

    private static NotificationChannelDefinition Command(string name, string path) => new() { Name = name, Type = "Command", Path = path };

    private NotificationService Service(params NotificationChannelDefinition[] channels) =>
        new(new NotificationConfiguration(), Path.Combine(_directory.Path, "spool"), channels, new Dictionary<string, string>());
}
