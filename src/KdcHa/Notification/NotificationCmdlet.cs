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
