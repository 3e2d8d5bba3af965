using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.InteropServices;
using System.Security;

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
