using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

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

    /// <summary>A hashtable parameter (-Details, -Header) as the string map the engine stores.</summary>
    protected static Dictionary<string, string> ToStringMap(Hashtable table) =>
        table.Cast<DictionaryEntry>().ToDictionary(entry => entry.Key.ToString() ?? string.Empty, entry => entry.Value?.ToString() ?? string.Empty);
}
