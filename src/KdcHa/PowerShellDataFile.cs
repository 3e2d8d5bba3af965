using System;
using System.Collections;
using System.Management.Automation.Language;
using KdcHa.Configuration;

namespace KdcHa;

/// <summary>
/// A psd1's text as its hashtable, read as Import-PowerShellDataFile reads one: parsed, never run, only literal
/// values evaluated, so a configuration file cannot run code. Every failure names the file and says what is wrong.
/// </summary>
internal static class PowerShellDataFile
{
    /// <exception cref="ConfigurationException">The text does not parse, is not one hashtable, or holds more than literals.</exception>
    public static IDictionary Read(string text, string path)
    {
        var script = Parser.ParseInput(text, path, out _, out var errors);
        if (errors.Length > 0)
        {
            throw new ConfigurationException(path, $"{path} is not a valid PowerShell data file: line {errors[0].Extent.StartLineNumber}: {errors[0].Message}");
        }

        if (script.EndBlock?.Statements is not [PipelineAst { PipelineElements: [CommandExpressionAst { Expression: HashtableAst hashtable }] }])
        {
            throw new ConfigurationException(path, $"{path} must hold one hashtable of settings, @{{ Name = value; ... }}, and nothing else.");
        }

        try
        {
            return (IDictionary)hashtable.SafeGetValue();
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationException(path, $"{path} may hold only literal values, no variables, expressions or commands: {e.Message}");
        }
    }
}
