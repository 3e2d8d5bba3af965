using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using KdcHa.Completers;
using KdcHa.Notification;

namespace KdcHa.Commands;

[Cmdlet(VerbsDiagnostic.Test, "KdcHaNotificationChannel", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(NotificationChannelTestResult))]
public sealed class TestKdcHaNotificationChannelCommand : NotificationCmdlet
{
    private const string NameSet = "Name";
    private const string DefinitionSet = "Definition";

    private NotificationConfiguration _configuration = new();
    private IReadOnlyList<NotificationChannelDefinition> _configured = Array.Empty<NotificationChannelDefinition>();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NotificationChannelCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = DefinitionSet)]
    [ValidateNotNull]
    public NotificationChannelDefinition[] InputObject { get; set; } = Array.Empty<NotificationChannelDefinition>();

    [Parameter]
    [Alias("TimeoutSec")]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 10;

    protected override void BeginProcessing()
    {
        // Definition objects need no configuration file; templates come from it when there is one.
        var byName = ParameterSetName == NameSet;
        _configuration = LoadConfiguration(fileOptional: !byName);
        if (byName)
        {
            _configured = SelectChannels(_configuration.Channels, Name.Select(name => new NotificationChannelSelector(name)));
        }
    }

    protected override void ProcessRecord()
    {
        var definitions = ParameterSetName == NameSet
            ? _configured
            : SelectChannels(Array.Empty<NotificationChannelDefinition>(), InputObject.Select(definition => new NotificationChannelSelector(definition)));
        using var service = OpenService(_configuration, definitions);
        foreach (var channel in service.Channels)
        {
            // Every test gets a new id, so no receiver or throttle could take it for a repeat of the last one.
            var notification = service.Templates.Complete(new NotificationEvent
            {
                Kind = NotificationKind.ChannelTest,
                Source = "Test-KdcHaNotificationChannel",
                Details = new Dictionary<string, string> { ["channel"] = channel.Definition.Name },
            });
            if (!ShouldProcess(DescribeSend(notification, channel), DescribeSend(notification, channel), "Test-KdcHaNotificationChannel"))
            {
                continue;
            }

            NotificationChannelTestResult result;
            try
            {
                result = RunOnPipeline("Testing notification channel", (_, token) => service.TestAsync(channel, notification, TimeSpan.FromSeconds(TimeoutSeconds), token));
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: PowerShell is stopping the pipeline and reports that itself.
                return;
            }

            WriteVerbose($"{result.Channel}: {(result.Success ? "answered" : "failed")} in {result.RoundTripMilliseconds} ms {result.Reply} {result.Message}".TrimEnd());
            WriteObject(result);
        }
    }
}
