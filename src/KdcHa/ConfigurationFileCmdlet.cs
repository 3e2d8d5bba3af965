using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using KdcHa.Configuration;

namespace KdcHa;

/// <summary>
/// Base of the cmdlets that write a daemon's configuration file: the text goes to the pipeline, or with -Path to
/// the file (UTF-8 without BOM, after ShouldProcess, so -WhatIf writes nothing), and -PassThru returns the file.
/// </summary>
public abstract class ConfigurationFileCmdlet : KdcHaCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// Renders the configuration and writes it out; a setting the writer refuses is a terminating
    /// <paramref name="invalidSetting"/> error whose target is the setting's name.
    /// </summary>
    protected void WriteConfiguration(Func<string> render, KdcHaError invalidSetting, string action)
    {
        string text;
        try
        {
            text = render();
        }
        catch (ConfigurationException e)
        {
            ThrowTerminatingError(NewError(e, invalidSetting, e.Setting));
            return;
        }

        if (Path is null)
        {
            WriteObject(text);
            return;
        }

        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(path, action))
        {
            return;
        }

        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        if (PassThru)
        {
            WriteObject(new FileInfo(path));
        }
    }
}
