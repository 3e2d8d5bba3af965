using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using KdcHa.Common;
using KdcHa.Configuration;
using KdcHa.Keepalived;
using KdcHa.Kerberos;
using KdcHa.Notification;

namespace KdcHa.Completers;

/// <summary>
/// What KdcHa's argument completers share, in the SecretManagement and PSResourceGet manner: the word typed, without
/// its quotes, as a case-insensitive prefix; each value once (the first source wins the tooltip); quoted when it holds
/// a space or a character PowerShell would read as syntax; the file it came from as the tooltip. The engine reads
/// the sources, local files only: Tab never waits on the network, and a file that cannot be read offers nothing.
/// </summary>
public abstract class KdcHaArgumentCompleter : IArgumentCompleter
{
    private const string ResolvePathScript = "$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($args[0])";
    private static readonly char[] NeedQuotes = " \t'\"`$;,(){}@#|&<>".ToCharArray();

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return Candidates(fakeBoundParameters ?? new Hashtable())
            .Where(candidate => candidate.Value.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .DistinctBy(candidate => candidate.Value, StringComparer.Ordinal)
            .Select(candidate => new CompletionResult(Quoted(candidate.Value), candidate.Value, CompletionResultType.ParameterValue, candidate.Source))
            .ToList();
    }

    /// <param name="boundParameters">What PowerShell could bind of the command line typed so far (constant values only).</param>
    private protected abstract IEnumerable<CompletionCandidate> Candidates(IDictionary boundParameters);

    private protected static string? BoundText(IDictionary boundParameters, string parameter) =>
        (boundParameters[parameter] is PSObject wrapped ? wrapped.BaseObject : boundParameters[parameter]) as string;

    /// <summary>A path typed as another parameter's value, resolved as the cmdlet resolves it: relative to $PWD, ~ expanded.</summary>
    private protected static string? BoundPath(IDictionary boundParameters, string parameter)
    {
        if (BoundText(boundParameters, parameter) is not { Length: > 0 } typed)
        {
            return null;
        }

        try
        {
            using var powerShell = PowerShell.Create(RunspaceMode.CurrentRunspace);
            return powerShell.AddScript(ResolvePathScript).AddArgument(typed).Invoke().FirstOrDefault()?.BaseObject as string ?? typed;
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException)
        {
            return typed;
        }
    }

    private protected static IReadOnlyList<string> Krb5Files() =>
        Krb5Configuration.Files(Environment.GetEnvironmentVariable(Krb5Configuration.PathVariable));

    private protected static IReadOnlyList<string> MonitorFiles() =>
        MonitorConfigurationFile.CompletionFiles(Environment.GetEnvironmentVariable(MonitorConfigurationFile.CompletionPathVariable));

    private static string Quoted(string value) =>
        value.IndexOfAny(NeedQuotes) < 0 ? value : $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}

/// <summary>VRRP instance names from keepalived.conf: the -ConfigurationPath already typed, else /etc/keepalived/keepalived.conf.</summary>
public sealed class VrrpInstanceCompleter : KdcHaArgumentCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(IDictionary boundParameters) =>
        KeepalivedConfigReader.InstanceCandidates(BoundPath(boundParameters, "ConfigurationPath") ?? KeepalivedConfig.DefaultPath);
}

/// <summary>Channel names from the notification configuration: the -ConfigurationPath typed, else $env:KDCHA_NOTIFICATION_CONFIG, else /etc/kdcha/notification.json.</summary>
public sealed class NotificationChannelCompleter : KdcHaArgumentCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(IDictionary boundParameters) =>
        NotificationConfigurationFile.ChannelCandidates(NotificationConfigurationFile.Resolve(BoundPath(boundParameters, "ConfigurationPath")));
}

/// <summary>Realms from krb5.conf (default_realm, [realms]) and the monitor configurations (Realm).</summary>
public sealed class RealmCompleter : KdcHaArgumentCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(IDictionary boundParameters) =>
        Krb5Configuration.RealmCandidates(Krb5Files()).Concat(MonitorConfigurationFile.RealmCandidates(MonitorFiles(), PowerShellDataFile.Read));
}

/// <summary>KDCs from krb5.conf (kdc lines of [realms]) and the monitor configurations (LocalKdc, PeerKdc); only the typed -Realm's when one is.</summary>
public sealed class KdcCompleter : KdcHaArgumentCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(IDictionary boundParameters)
    {
        var realm = BoundText(boundParameters, "Realm");
        return Krb5Configuration.KdcCandidates(Krb5Files(), realm).Concat(MonitorConfigurationFile.KdcCandidates(MonitorFiles(), realm, PowerShellDataFile.Read));
    }
}
