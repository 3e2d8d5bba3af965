using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.InteropServices;
using System.Security;
using KdcHa.Notification.Channels;

namespace KdcHa.Notification;

/// <summary>
/// What the notification cmdlets share: finding and loading the configuration file, and turning vault: and
/// session: references into values on the pipeline thread, where Get-Secret may run.
/// </summary>
public abstract class NotificationCmdlet : KdcHaCmdlet
{
    private const string GetSecretCommand = "Get-Secret";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected string ResolvedConfigurationPath =>
        SessionState.Path.GetUnresolvedProviderPathFromPSPath(NotificationConfigurationFile.Resolve(ConfigurationPath));

    protected NotificationConfiguration LoadConfiguration()
    {
        var path = ResolvedConfigurationPath;
        try
        {
            return NotificationConfigurationFile.Load(path);
        }
        catch (NotificationConfigurationException e) when (e.InnerException is FileNotFoundException or DirectoryNotFoundException)
        {
            ThrowTerminatingError(NewError(e, "NotificationConfigurationNotFound", ErrorCategory.ObjectNotFound, path));
        }
        catch (NotificationConfigurationException e)
        {
            ThrowTerminatingError(NewError(e, "NotificationConfigurationInvalid", ErrorCategory.InvalidData, path));
        }
        catch (UnauthorizedAccessException e)
        {
            ThrowTerminatingError(NewError(e, "NotificationConfigurationUnreadable", ErrorCategory.PermissionDenied, path));
        }

        throw new InvalidOperationException("unreachable: ThrowTerminatingError always throws");
    }

    /// <summary>
    /// The configuration file, or the defaults when <paramref name="fileOptional"/> (every channel was given as a
    /// definition object) and no file was named or exists: an in-session channel needs no file, only the spool,
    /// throttle and template settings it would supply.
    /// </summary>
    protected NotificationConfiguration LoadConfiguration(bool fileOptional) =>
        fileOptional && ConfigurationPath is null && !File.Exists(ResolvedConfigurationPath) ? new NotificationConfiguration() : LoadConfiguration();

    /// <summary>
    /// The channels the selectors name: configured channels matching a name pattern, and definition objects as
    /// they are (validated here, since a script may have changed one). No selectors means every configured channel.
    /// </summary>
    protected IReadOnlyList<NotificationChannelDefinition> SelectChannels(
        IReadOnlyList<NotificationChannelDefinition> configured, IEnumerable<NotificationChannelSelector>? selectors)
    {
        if (selectors is null)
        {
            return configured;
        }

        var selected = new List<NotificationChannelDefinition>();
        foreach (var selector in selectors)
        {
            var matches = selector.Definition is { } definition ? new[] { Validated(definition) } : Matching(configured, selector.Pattern!);
            foreach (var match in matches.Where(match => !selected.Contains(match)))
            {
                // Channel names are spool folder names: two different channels of one name would share a queue.
                if (selected.Any(other => string.Equals(other.Name, match.Name, StringComparison.Ordinal)))
                {
                    ThrowTerminatingError(NewError(
                        new ArgumentException($"Two different channels named '{match.Name}' were selected; channel names identify spool folders and must be unique."),
                        "ChannelNameConflict", ErrorCategory.InvalidArgument, match.Name));
                }

                selected.Add(match);
            }
        }

        return selected;
    }

    /// <summary>The engine channels for the definitions, with vault: and session: secrets fetched now, on the pipeline thread.</summary>
    protected IReadOnlyList<INotificationChannel> CreateChannels(
        IReadOnlyList<NotificationChannelDefinition> definitions, IHttpPoster poster, SecretRedactor redactor)
    {
        var secrets = new SecretReferenceResolver(redactor, ResolveProvidedSecrets(definitions));
        var factory = new NotificationChannelFactory(poster, secrets, SystemNotificationClock.Instance);
        return definitions.Select(factory.Create).ToList();
    }

    /// <summary>The ShouldProcess text: what would be sent where, rendered with references in place of secrets.</summary>
    protected static string DescribeSend(NotificationEvent notification, INotificationChannel channel) =>
        $"Send {notification.Severity} {notification.Kind} notification {notification.Id} to channel '{channel.Definition.Name}' ({channel.Definition.Type}):\n{channel.Preview(notification)}";

    /// <summary>Values for the channels' vault: and session: references; env: and file: resolve in the engine at send time.</summary>
    protected IReadOnlyDictionary<string, string> ResolveProvidedSecrets(IEnumerable<NotificationChannelDefinition> channels)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in channels.SelectMany(channel => channel.SecretReferences()).Distinct(StringComparer.Ordinal))
        {
            if (SecretReference.HasScheme(reference, SecretReference.Session))
            {
                var secret = SessionSecretStore.Get(reference)
                    ?? throw Terminate(new NotificationSecretException(reference, $"{reference} is not known in this PowerShell process: session secrets live only where New-KdcHaNotificationChannel created them."));
                values[reference] = Plain(secret);
            }
            else if (SecretReference.HasScheme(reference, SecretReference.Vault))
            {
                values[reference] = FromVault(reference);
            }
        }

        return values;
    }

    /// <summary>A hashtable parameter (-Details, -Header) as the string map the engine stores.</summary>
    protected static Dictionary<string, string> ToStringMap(Hashtable table) =>
        table.Cast<DictionaryEntry>().ToDictionary(entry => entry.Key.ToString() ?? string.Empty, entry => entry.Value?.ToString() ?? string.Empty);

    private NotificationChannelDefinition Validated(NotificationChannelDefinition definition)
    {
        try
        {
            definition.Validate();
        }
        catch (NotificationConfigurationException e)
        {
            ThrowTerminatingError(NewError(e, "ChannelDefinitionInvalid", ErrorCategory.InvalidArgument, definition.Name));
        }

        return definition;
    }

    private IReadOnlyList<NotificationChannelDefinition> Matching(IReadOnlyList<NotificationChannelDefinition> configured, string name)
    {
        var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
        var matches = configured.Where(channel => pattern.IsMatch(channel.Name)).ToList();
        if (matches.Count == 0)
        {
            ThrowTerminatingError(NewError(
                new ArgumentException($"No channel in {ResolvedConfigurationPath} matches '{name}'. Configured: {string.Join(", ", configured.Select(channel => channel.Name))}."),
                "ChannelNotFound", ErrorCategory.ObjectNotFound, name));
        }

        return matches;
    }

    private string FromVault(string reference)
    {
        if (InvokeCommand.GetCommand(GetSecretCommand, CommandTypes.Cmdlet | CommandTypes.Function) is null)
        {
            throw Terminate(new NotificationSecretException(
                reference, $"{reference} needs Get-Secret: install and import Microsoft.PowerShell.SecretManagement and register a vault."));
        }

        var name = SecretReference.NameOf(reference);
        try
        {
            var result = InvokeCommand.InvokeScript("param($Name) Get-Secret -Name $Name -ErrorAction Stop", true, PipelineResultTypes.None, null, name);
            return result.Select(item => item.BaseObject).FirstOrDefault() switch
            {
                SecureString secure => Plain(secure),
                string text => text,
                PSCredential credential => Plain(credential.Password),
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
        ThrowTerminatingError(NewError(e, "SecretUnavailable", ErrorCategory.ObjectNotFound, e.Reference));
        return new PipelineStoppedException();
    }

    private static string Plain(SecureString secret)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            return Marshal.PtrToStringUni(pointer) ?? string.Empty;
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
