using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using KdcHa.Commands;
using KdcHa.Common;

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

    /// <inheritdoc cref="NotificationSetup.Open"/>
    protected NotificationService OpenService(NotificationConfiguration configuration, IReadOnlyList<NotificationChannelDefinition> definitions) =>
        Setup.Open(configuration, definitions);

    /// <summary>The ShouldProcess text: what would be sent where, rendered with references in place of secrets.</summary>
    protected static string DescribeSend(NotificationEvent notification, INotificationChannel channel) =>
        $"Send {notification.Severity} {notification.Kind} notification {notification.Id} to channel '{channel.Definition.Name}' ({channel.Definition.Type}):\n{channel.Preview(notification)}";

    /// <summary>A hashtable parameter (-Details, -Header) as the string map the engine stores.</summary>
    protected static Dictionary<string, string> ToStringMap(Hashtable table) =>
        table.Cast<DictionaryEntry>().ToDictionary(entry => entry.Key.ToString() ?? string.Empty, entry => entry.Value?.ToString() ?? string.Empty);
}


/// <summary>
/// What only PowerShell can do for the notification engine, shared by every cmdlet that sends notifications
/// (Send-KdcHaNotification, Test-KdcHaNotificationChannel, Start-KdcHaMonitor): turning PowerShell paths into
/// file-system paths, choosing channels by wildcard, and turning vault: and session: references into values on the
/// pipeline thread, where Get-Secret may run. The engine's <see cref="NotificationService"/> builds the rest.
/// Failures end the cmdlet with the same ErrorIds whichever cmdlet it is.
/// </summary>
internal sealed class NotificationSetup
{
    private const string GetSecretCommand = "Get-Secret";

    private readonly KdcHaCmdlet _cmdlet;

    public NotificationSetup(KdcHaCmdlet cmdlet)
    {
        _cmdlet = cmdlet;
    }

    /// <summary>The explicit path, else $KDCHA_NOTIFICATION_CONFIG, else the default, as a file-system path.</summary>
    public string ResolvePath(string? explicitPath) =>
        _cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(NotificationConfigurationFile.Resolve(explicitPath));

    public NotificationConfiguration Load(string path)
    {
        try
        {
            return NotificationConfigurationFile.Load(path);
        }
        catch (NotificationConfigurationException e) when (e.InnerException is FileNotFoundException or DirectoryNotFoundException)
        {
            _cmdlet.ThrowTerminatingError(_cmdlet.NewError(e, KdcHaErrors.NotificationConfigurationNotFound, path));
        }
        catch (NotificationConfigurationException e)
        {
            _cmdlet.ThrowTerminatingError(_cmdlet.NewError(e, KdcHaErrors.NotificationConfigurationInvalid, path));
        }
        catch (UnauthorizedAccessException e)
        {
            _cmdlet.ThrowTerminatingError(_cmdlet.NewError(e, KdcHaErrors.NotificationConfigurationUnreadable, path));
        }

        throw new InvalidOperationException("unreachable: ThrowTerminatingError always throws");
    }

    /// <summary>
    /// The configuration file, or the defaults when <paramref name="fileOptional"/> (every channel was given as a
    /// definition object) and no file was named or exists: an in-session channel needs no file, only the spool,
    /// throttle and template settings it would supply.
    /// </summary>
    public NotificationConfiguration Load(string path, bool fileOptional, bool pathGiven) =>
        fileOptional && !pathGiven && !File.Exists(path) ? new NotificationConfiguration() : Load(path);

    /// <summary>
    /// The channels the selectors name: configured channels matching a name pattern (wildcards allowed), and
    /// definition objects as they are (validated here, since a script may have changed one). No selectors means
    /// every configured channel.
    /// </summary>
    public IReadOnlyList<NotificationChannelDefinition> SelectChannels(
        IReadOnlyList<NotificationChannelDefinition> configured, IEnumerable<NotificationChannelSelector>? selectors, string path)
    {
        if (selectors is null)
        {
            return configured;
        }

        var selected = new List<NotificationChannelDefinition>();
        foreach (var selector in selectors)
        {
            var matches = selector.Definition is { } definition ? new[] { Validated(definition) } : Matching(configured, selector.Pattern!, path);
            foreach (var match in matches.Where(match => !selected.Contains(match)))
            {
                // Channel names are spool folder names: two different channels of one name would share a queue.
                if (selected.Any(other => string.Equals(other.Name, match.Name, StringComparison.Ordinal)))
                {
                    _cmdlet.ThrowTerminatingError(_cmdlet.NewError(
                        new ArgumentException($"Two different channels named '{match.Name}' were selected; channel names identify spool folders and must be unique."),
                        KdcHaErrors.ChannelNameConflict, match.Name));
                }

                selected.Add(match);
            }
        }

        return selected;
    }

    /// <summary>The engine's notification objects for the chosen channels, with vault: and session: secrets fetched now, on the pipeline thread.</summary>
    public NotificationService Open(NotificationConfiguration configuration, IReadOnlyList<NotificationChannelDefinition> definitions) =>
        new(configuration, SpoolPath(configuration), definitions, ResolveProvidedSecrets(definitions));

    public string SpoolPath(NotificationConfiguration configuration) => _cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(configuration.SpoolPath);

    /// <summary>Values for the channels' vault: and session: references; env: and file: resolve in the engine at send time.</summary>
    private IReadOnlyDictionary<string, string> ResolveProvidedSecrets(IEnumerable<NotificationChannelDefinition> channels)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in channels.SelectMany(channel => channel.SecretReferences()).Distinct(StringComparer.Ordinal))
        {
            if (SecretReference.HasScheme(reference, SecretReference.Session))
            {
                var secret = SessionSecretStore.Get(reference)
                    ?? throw Terminate(new NotificationSecretException(reference, $"{reference} is not known in this PowerShell process: session secrets live only where New-KdcHaNotificationChannel created them."));
                values[reference] = SecureStrings.Reveal(secret);
            }
            else if (SecretReference.HasScheme(reference, SecretReference.Vault))
            {
                values[reference] = FromVault(reference);
            }
        }

        return values;
    }

    private NotificationChannelDefinition Validated(NotificationChannelDefinition definition)
    {
        try
        {
            definition.Validate();
        }
        catch (NotificationConfigurationException e)
        {
            _cmdlet.ThrowTerminatingError(_cmdlet.NewError(e, KdcHaErrors.ChannelDefinitionInvalid, definition.Name));
        }

        return definition;
    }

    private IReadOnlyList<NotificationChannelDefinition> Matching(IReadOnlyList<NotificationChannelDefinition> configured, string name, string path)
    {
        var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
        var matches = configured.Where(channel => pattern.IsMatch(channel.Name)).ToList();
        if (matches.Count == 0)
        {
            _cmdlet.ThrowTerminatingError(_cmdlet.NewError(
                new ArgumentException($"No channel in {path} matches '{name}'. Configured: {string.Join(", ", configured.Select(channel => channel.Name))}."),
                KdcHaErrors.ChannelNotFound, name));
        }

        return matches;
    }

    private string FromVault(string reference)
    {
        if (_cmdlet.InvokeCommand.GetCommand(GetSecretCommand, CommandTypes.Cmdlet | CommandTypes.Function) is null)
        {
            throw Terminate(new NotificationSecretException(
                reference, $"{reference} needs Get-Secret: install and import Microsoft.PowerShell.SecretManagement and register a vault."));
        }

        var name = SecretReference.NameOf(reference);
        try
        {
            var result = _cmdlet.InvokeCommand.InvokeScript("param($Name) Get-Secret -Name $Name -ErrorAction Stop", true, PipelineResultTypes.None, null, name);
            return result.Select(item => item.BaseObject).FirstOrDefault() switch
            {
                SecureString secure => SecureStrings.Reveal(secure),
                string text => text,
                PSCredential credential => SecureStrings.Reveal(credential.Password),
                _ => throw Terminate(new NotificationSecretException(reference, $"The vault secret {name} is not a string, SecureString or PSCredential.")),
            };
        }
        catch (RuntimeException e)
        {
            throw Terminate(new NotificationSecretException(reference, $"Get-Secret -Name {name} failed: {e.Message}"));
        }
    }

    private PipelineStoppedException Terminate(NotificationSecretException e)
    {
        _cmdlet.ThrowTerminatingError(_cmdlet.NewError(e, KdcHaErrors.SecretUnavailable, e.Reference));
        return new PipelineStoppedException();
    }
}


/// <summary>
/// SecureStrings and PSCredentials given to New-KdcHaNotificationChannel, kept for the life of the PowerShell
/// process under session:NAME references, so the channel object itself never carries the secret.
/// </summary>
internal static class SessionSecretStore
{
    private static readonly ConcurrentDictionary<string, SecureString> Secrets = new(StringComparer.Ordinal);

    public static string Add(string channel, string field, SecureString secret)
    {
        var reference = $"{SecretReference.Session}{channel}.{field}";
        var copy = secret.Copy();
        copy.MakeReadOnly();
        Secrets[reference] = copy;
        return reference;
    }

    public static SecureString? Get(string reference) => Secrets.TryGetValue(reference, out var secret) ? secret : null;
}
