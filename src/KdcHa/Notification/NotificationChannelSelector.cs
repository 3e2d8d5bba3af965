using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace KdcHa.Notification;

/// <summary>
/// One value of Send-KdcHaNotification -Channel: a name pattern for channels of the configuration file, or a
/// channel definition object (New-KdcHaNotificationChannel output) used as it is, which is how an in-session
/// channel whose secret exists only under a session: reference reaches the engine.
/// </summary>
public sealed class NotificationChannelSelector
{
    public NotificationChannelSelector(string pattern)
    {
        Pattern = pattern;
    }

    public NotificationChannelSelector(NotificationChannelDefinition definition)
    {
        Definition = definition;
    }

    public string? Pattern { get; }

    public NotificationChannelDefinition? Definition { get; }

    public override string ToString() => Pattern ?? Definition!.Name;
}


/// <summary>
/// Lets -Channel take names and channel definition objects alike, mixed in one array, so a script passes
/// $channel = New-KdcHaNotificationChannel ... the same way it passes a name. Anything else is refused here with
/// a message that says what is accepted, rather than a generic conversion error.
/// </summary>
public sealed class NotificationChannelSelectorTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var selectors = new List<NotificationChannelSelector>();
        var items = Unwrap(inputData) is IEnumerable sequence and not string ? sequence : new[] { inputData };
        foreach (var item in items)
        {
            selectors.Add(Unwrap(item) switch
            {
                string pattern => new NotificationChannelSelector(pattern),
                NotificationChannelDefinition definition => new NotificationChannelSelector(definition),
                NotificationChannelSelector selector => selector,
                var other => throw new ArgumentTransformationMetadataException(
                    $"-Channel takes channel names (wildcards allowed) or NotificationChannelDefinition objects from New-KdcHaNotificationChannel, not {other?.GetType().FullName ?? "null"}."),
            });
        }

        return selectors.ToArray();
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
