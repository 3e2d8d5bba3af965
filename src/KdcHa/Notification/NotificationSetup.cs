using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using KdcHa.Commands;
using KdcHa.Common;
using KdcHa.Notification.Channels;

namespace KdcHa.Notification;

/// <summary>
/// What every cmdlet that sends notifications shares (Send-KdcHaNotification, Start-KdcHaMonitor): finding and
/// loading the configuration file, choosing channels by name, turning vault: and session: references into values
/// on the pipeline thread, where Get-Secret may run, and building the channels and the dispatcher. Failures end the
/// cmdlet with the same ErrorIds whichever cmdlet it is.
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

    public List<INotificationChannel> CreateChannels(IReadOnlyList<NotificationChannelDefinition> definitions, IHttpPoster poster, SecretRedactor redactor)
    {
        var secrets = new SecretReferenceResolver(redactor, ResolveProvidedSecrets(definitions));
        var factory = new NotificationChannelFactory(poster, secrets, TimeProvider.System);
        return definitions.Select(factory.Create).ToList();
    }

    public string SpoolPath(NotificationConfiguration configuration) => _cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(configuration.SpoolPath);

    public NotificationSpool CreateSpool(NotificationConfiguration configuration) => new(SpoolPath(configuration), configuration.MaxPendingPerChannel);

    public NotificationDispatcher CreateDispatcher(
        NotificationConfiguration configuration, IEnumerable<INotificationChannel> channels, NotificationSpool spool, INotificationLog log, SecretRedactor redactor) =>
        new(channels, spool, configuration.ToDispatcherOptions(), log: log, redactor: redactor);

    /// <summary>Values for the channels' vault: and session: references; env: and file: resolve in the engine at send time.</summary>
    public IReadOnlyDictionary<string, string> ResolveProvidedSecrets(IEnumerable<NotificationChannelDefinition> channels)
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
