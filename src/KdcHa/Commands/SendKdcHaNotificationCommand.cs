using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using KdcHa.Notification;
using KdcHa.Notification.Channels;

namespace KdcHa.Commands;

[Cmdlet(VerbsCommunications.Send, "KdcHaNotification", SupportsShouldProcess = true, DefaultParameterSetName = EventSet)]
[OutputType(typeof(NotificationDeliveryResult))]
public sealed class SendKdcHaNotificationCommand : NotificationCmdlet
{
    private const string EventSet = "Event";
    private const string PendingSet = "Pending";

    private readonly List<INotificationChannel> _channels = new();
    private HttpClientPoster? _poster;
    private QueuedNotificationLog? _log;
    private NotificationDispatcher? _dispatcher;
    private NotificationTemplates _templates = new();

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

    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Channel { get; set; }

    [Parameter]
    [ValidateRange(0, 3600)]
    public int TimeoutSec { get; set; } = 30;

    private bool IsWhatIf => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf) && whatIf is SwitchParameter { IsPresent: true };

    protected override void BeginProcessing()
    {
        var configuration = LoadConfiguration();
        var setup = Setup;
        var definitions = setup.SelectChannels(configuration.Channels, Channel, ResolvedConfigurationPath);
        _templates = configuration.ToDispatcherOptions().Templates;
        var redactor = new SecretRedactor();
        _poster = new HttpClientPoster();
        _channels.AddRange(setup.CreateChannels(definitions, _poster, redactor));
        if (IsWhatIf)
        {
            return;
        }

        _log = new QueuedNotificationLog(redactor);
        WriteVerbose($"Spool {setup.SpoolPath(configuration)}; channels {string.Join(", ", _channels.Select(channel => channel.Definition.Name))}.");
        _dispatcher = setup.CreateDispatcher(configuration, _channels, _log, redactor);
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PendingSet)
        {
            return;
        }

        var notification = _templates.Complete(NewEvent());
        var approved = new List<string>();
        foreach (var channel in _channels.Where(channel => channel.Definition.Accepts(notification.Severity)))
        {
            var description = $"Send {notification.Severity} {notification.Kind} notification {notification.Id} to channel '{channel.Definition.Name}' ({channel.Definition.Type}):\n{channel.Preview(notification)}";
            if (ShouldProcess(description, description, "Send-KdcHaNotification"))
            {
                approved.Add(channel.Definition.Name);
            }
        }

        if (_dispatcher is null || approved.Count == 0)
        {
            return;
        }

        try
        {
            _dispatcher.Enqueue(notification, approved);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(NewError(e, "SpoolUnavailable", e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, notification.Id));
        }

        EmitProgress();
    }

    protected override void EndProcessing()
    {
        if (_dispatcher is null)
        {
            return;
        }

        try
        {
            _dispatcher.FlushAsync(TimeSpan.FromSeconds(TimeoutSec), CancellationToken).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return;
        }

        EmitProgress();
        foreach (var pending in _dispatcher.PendingResults())
        {
            WriteResult(pending);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _dispatcher?.Dispose();
            _poster?.Dispose();
        }

        base.Dispose(disposing);
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

    private void EmitProgress()
    {
        foreach (var line in _log!.Drain())
        {
            WriteVerbose(line);
        }

        foreach (var result in _dispatcher!.TakeResults())
        {
            WriteResult(result);
        }
    }

    private void WriteResult(NotificationDeliveryResult result)
    {
        WriteObject(result);
        if (result.Status == nameof(NotificationDeliveryStatus.Pending))
        {
            WriteError(NewError(
                new TimeoutException($"Event {result.EventId} was not delivered to '{result.Channel}' within {TimeoutSec} s and stays spooled for the next run: {result.Message}"),
                "NotificationPending", ErrorCategory.OperationTimeout, result));
        }
        else if (result.Status == nameof(NotificationDeliveryStatus.Rejected))
        {
            WriteError(NewError(
                new InvalidOperationException($"Channel '{result.Channel}' refused event {result.EventId} for good: {result.Message}"),
                "NotificationRejected", ErrorCategory.InvalidResult, result));
        }
    }
}
