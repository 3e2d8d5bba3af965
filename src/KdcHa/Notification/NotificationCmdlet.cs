using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using KdcHa.Notification.Channels;

namespace KdcHa.Notification;

/// <summary>
/// What the notification cmdlets share: the -ConfigurationPath parameter and, through <see cref="NotificationSetup"/>
/// (which Start-KdcHaMonitor uses too), loading the file, choosing channels and resolving secrets.
/// </summary>
public abstract class NotificationCmdlet : KdcHaCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    private protected NotificationSetup Setup => new(this);

    protected string ResolvedConfigurationPath => Setup.ResolvePath(ConfigurationPath);

    protected NotificationConfiguration LoadConfiguration() => Setup.Load(ResolvedConfigurationPath);

    /// <inheritdoc cref="NotificationSetup.Load(string, bool, bool)"/>
    protected NotificationConfiguration LoadConfiguration(bool fileOptional) =>
        Setup.Load(ResolvedConfigurationPath, fileOptional, pathGiven: ConfigurationPath is not null);

    /// <inheritdoc cref="NotificationSetup.SelectChannels"/>
    protected IReadOnlyList<NotificationChannelDefinition> SelectChannels(
        IReadOnlyList<NotificationChannelDefinition> configured, IEnumerable<NotificationChannelSelector>? selectors) =>
        Setup.SelectChannels(configured, selectors, ResolvedConfigurationPath);

    /// <summary>The engine channels for the definitions, with vault: and session: secrets fetched now, on the pipeline thread.</summary>
    protected IReadOnlyList<INotificationChannel> CreateChannels(
        IReadOnlyList<NotificationChannelDefinition> definitions, IHttpPoster poster, SecretRedactor redactor) =>
        Setup.CreateChannels(definitions, poster, redactor);

    /// <summary>The ShouldProcess text: what would be sent where, rendered with references in place of secrets.</summary>
    protected static string DescribeSend(NotificationEvent notification, INotificationChannel channel) =>
        $"Send {notification.Severity} {notification.Kind} notification {notification.Id} to channel '{channel.Definition.Name}' ({channel.Definition.Type}):\n{channel.Preview(notification)}";

    /// <summary>A hashtable parameter (-Details, -Header) as the string map the engine stores.</summary>
    protected static Dictionary<string, string> ToStringMap(Hashtable table) =>
        table.Cast<DictionaryEntry>().ToDictionary(entry => entry.Key.ToString() ?? string.Empty, entry => entry.Value?.ToString() ?? string.Empty);
}
