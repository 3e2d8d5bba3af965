using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using KdcHa.Completers;
using KdcHa.Notification;

namespace KdcHa.Commands;

[Cmdlet(VerbsCommunications.Send, "KdcHaNotification", SupportsShouldProcess = true, DefaultParameterSetName = EventSet)]
[OutputType(typeof(NotificationDeliveryResult))]
public sealed class SendKdcHaNotificationCommand : NotificationCmdlet
{
    private const string EventSet = "Event";
    private const string PendingSet = "Pending";
    private const string SpoolActivity = "Spooling the notification";
    private const string DeliveryActivity = "Delivering notifications";

    // After Ctrl+C during delivery: enough for the channels to abandon their attempts; what is left stays spooled.
    private static readonly TimeSpan DeliveryShutdownGrace = TimeSpan.FromSeconds(5);

    private NotificationService? _service;
    private bool _sending;

    [Parameter(Position = 0, ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string Message { get; set; } = string.Empty;

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    public NotificationSeverity Severity { get; set; } = NotificationSeverity.Info;

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    public NotificationKind Kind { get; set; } = NotificationKind.Custom;

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    public string? Title { get; set; }

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    [Alias("VrrpInstance")]
    public string? Instance { get; set; }

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    public string? OldState { get; set; }

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    [Alias("State")]
    public string? NewState { get; set; }

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    [Alias("HostName")]
    [ValidateNotNullOrEmpty]
    public string ComputerName { get; set; } = Environment.MachineName;

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Source { get; set; } = "Send-KdcHaNotification";

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    public Hashtable? Details { get; set; }

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    public string? EventId { get; set; }

    [Parameter(ParameterSetName = EventSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Timestamp")]
    public DateTime? Time { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = PendingSet)]
    public SwitchParameter Pending { get; set; }

    /// <summary>Names of configured channels, or definition objects: see <see cref="NotificationChannelSelectorTransformationAttribute"/>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [NotificationChannelSelectorTransformation]
    [ArgumentCompleter(typeof(NotificationChannelCompleter))]
    public NotificationChannelSelector[]? Channel { get; set; }

    [Parameter]
    [Alias("TimeoutSec")]
    [ValidateRange(0, 3600)]
    public int TimeoutSeconds { get; set; } = 30;

    private bool IsWhatIf => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf) && whatIf is SwitchParameter { IsPresent: true };

    protected override void BeginProcessing()
    {
        var configuration = LoadConfiguration(fileOptional: Channel is { Length: > 0 } && Channel.All(selector => selector.Definition is not null));
        _service = OpenService(configuration, SelectChannels(configuration.Channels, Channel));
        _sending = !IsWhatIf;
        if (_sending)
        {
            WriteVerbose($"Spool {_service.Spool.Root}; channels {string.Join(", ", _service.Channels.Select(channel => channel.Definition.Name))}.");
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PendingSet)
        {
            return;
        }

        var service = _service!;
        var notification = service.Templates.Complete(NewEvent());
        var approved = new List<string>();
        foreach (var channel in service.Channels.Where(channel => channel.Definition.Accepts(notification.Severity)))
        {
            var description = DescribeSend(notification, channel);
            if (ShouldProcess(description, description, "Send-KdcHaNotification"))
            {
                approved.Add(channel.Definition.Name);
            }
        }

        if (!_sending || approved.Count == 0)
        {
            return;
        }

        try
        {
            RunOnPipeline(SpoolActivity, (output, _) =>
            {
                service.Dispatcher.Enqueue(notification, approved, output);
                return Task.FromResult(true);
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(NewError(e, KdcHaErrors.SpoolUnavailable, notification.Id));
        }
    }

    protected override void EndProcessing()
    {
        if (!_sending)
        {
            return;
        }

        NotificationDeliveryReport report;
        try
        {
            report = RunOnPipeline(DeliveryActivity, (output, token) => _service!.DeliverAsync(TimeSpan.FromSeconds(TimeoutSeconds), output, token), DeliveryShutdownGrace);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        foreach (var rejected in report.Rejected)
        {
            WriteError(NewError(
                new InvalidOperationException($"Channel '{rejected.Channel}' refused event {rejected.EventId} for good: {rejected.Message}"),
                KdcHaErrors.NotificationRejected, rejected));
        }

        foreach (var pending in report.Pending)
        {
            WriteError(NewError(
                new TimeoutException($"Event {pending.EventId} was not delivered to '{pending.Channel}' within {TimeoutSeconds} s and stays spooled for the next run: {pending.Message}"),
                KdcHaErrors.NotificationPending, pending));
        }

        if (ParameterSetName == PendingSet && Channel is null)
        {
            ReportUnknownSpoolChannels();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _service?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Spool folders of channels the configuration does not define are nobody's to deliver: typically an in-session
    /// channel (New-KdcHaNotificationChannel -Credential) of a process that ended, whose secret died with it. They
    /// are reported, never sent, so -Pending neither hangs on them nor passes over them in silence.
    /// </summary>
    private void ReportUnknownSpoolChannels()
    {
        var spool = _service!.Spool;
        var known = new HashSet<string>(_service.Channels.Select(channel => channel.Definition.Name), StringComparer.Ordinal);
        foreach (var name in spool.Channels().Where(name => !known.Contains(name)))
        {
            var count = spool.Pending(name).Count;
            if (count > 0)
            {
                WriteError(NewError(
                    new InvalidOperationException(
                        $"{count} notification(s) wait in {System.IO.Path.Combine(spool.Root, name)} for channel '{name}', which {ResolvedConfigurationPath} does not define " +
                        "(an in-session channel of an earlier process, or one removed from the file); its secrets are unknown here, so nothing was sent. " +
                        "Create the channel again and run Send-KdcHaNotification -Pending -Channel $channel to deliver them, or delete the folder."),
                    KdcHaErrors.SpoolChannelUnknown, name));
            }
        }
    }

    private NotificationEvent NewEvent()
    {
        var notification = new NotificationEvent
        {
            Host = ComputerName,
            Source = Source,
            Severity = Severity,
            Kind = Kind,
            Instance = Instance,
            OldState = OldState,
            NewState = NewState,
            Title = Title,
            Message = Message,
            Details = Details is null ? new Dictionary<string, string>() : ToStringMap(Details),
        };
        if (EventId is not null)
        {
            notification = notification with { Id = EventId };
        }

        return Time is { } time ? notification with { Time = time.ToUniversalTime() } : notification;
    }
}
