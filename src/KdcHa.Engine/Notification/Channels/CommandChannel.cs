using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification.Channels;

/// <summary>
/// Runs a program directly, never through a shell: the program path and each argument go to execve as they are,
/// and the event reaches the program only as JSON on stdin and as KDCHA_* environment variables, so no event
/// field can become a command. Exit code 0 means accepted.
/// </summary>
public sealed class CommandChannel : INotificationChannel
{
    public const string EnvironmentPrefix = "KDCHA_EVENT_";
    public const string DetailPrefix = "KDCHA_DETAIL_";

    // A failing program's last words explain the failure; more would flood the error record.
    private const int MaxErrorOutput = 2000;

    public CommandChannel(NotificationChannelDefinition definition)
    {
        Definition = definition;
    }

    public NotificationChannelDefinition Definition { get; }

    public async Task<string> SendAsync(NotificationEvent notification, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(notification) };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new NotificationDeliveryException($"Cannot start {Definition.Path}: {e.Message}", isPermanent: true, e);
        }

        var errorOutput = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var standardOutput = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(NotificationJson.Serialize(notification)), cancellationToken).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (System.IO.IOException)
            {
                // The program exited without reading stdin; its exit code alone decides.
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }

        await Task.WhenAll(errorOutput, standardOutput).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var stderr = errorOutput.Result.Trim();
            var tail = stderr.Length <= MaxErrorOutput ? stderr : stderr.Substring(stderr.Length - MaxErrorOutput);
            throw new NotificationDeliveryException($"{Definition.Path} exited with code {process.ExitCode}: {tail}", isPermanent: false) { Reply = $"exit code {process.ExitCode}" };
        }

        return "exit code 0";
    }

    public string Preview(NotificationEvent notification)
    {
        var preview = new StringBuilder();
        preview.Append("exec ").Append(Definition.Path);
        foreach (var argument in Definition.Arguments ?? Array.Empty<string>())
        {
            preview.Append(" [").Append(argument).Append(']');
        }

        preview.Append('\n');
        foreach (var variable in Variables(notification))
        {
            preview.Append(variable.Key).Append('=').Append(variable.Value).Append('\n');
        }

        return preview.Append("stdin: ").Append(NotificationJson.Serialize(notification)).ToString();
    }

    /// <summary>The KDCHA_* variables a program receives; detail keys become KDCHA_DETAIL_ plus the key in upper case.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Variables(NotificationEvent notification)
    {
        var variables = new List<KeyValuePair<string, string>>
        {
            new(EnvironmentPrefix + "ID", notification.Id),
            new(EnvironmentPrefix + "TIME", notification.Time.ToString("o", CultureInfo.InvariantCulture)),
            new(EnvironmentPrefix + "HOST", notification.Host),
            new(EnvironmentPrefix + "SOURCE", notification.Source),
            new(EnvironmentPrefix + "SEVERITY", notification.Severity.ToString()),
            new(EnvironmentPrefix + "KIND", notification.Kind.ToString()),
            new(EnvironmentPrefix + "INSTANCE", notification.Instance ?? string.Empty),
            new(EnvironmentPrefix + "OLD_STATE", notification.OldState ?? string.Empty),
            new(EnvironmentPrefix + "NEW_STATE", notification.NewState ?? string.Empty),
            new(EnvironmentPrefix + "TITLE", notification.DisplayTitle),
            new(EnvironmentPrefix + "MESSAGE", notification.Message),
        };
        variables.AddRange(notification.Details.Select(detail => new KeyValuePair<string, string>(DetailPrefix + VariableName(detail.Key), detail.Value)));

        // execve cannot carry a NUL inside a value; everything else, newlines included, passes unchanged.
        return variables.Select(variable => new KeyValuePair<string, string>(variable.Key, variable.Value.Replace('\0', '\uFFFD')));
    }

    private ProcessStartInfo StartInfo(NotificationEvent notification)
    {
        var start = new ProcessStartInfo(Definition.Path!)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        // One execve argument per item: no quoting rules, so an argument can never split or inject.
        foreach (var argument in Definition.Arguments ?? Array.Empty<string>())
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in Variables(notification))
        {
            start.Environment[variable.Key] = variable.Value;
        }

        return start;
    }

    private static string VariableName(string key)
    {
        var name = new StringBuilder(key.Length);
        foreach (var c in key.ToUpperInvariant())
        {
            name.Append(c is >= 'A' and <= 'Z' or >= '0' and <= '9' ? c : '_');
        }

        return name.ToString();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited: the race between the timeout and a normal exit is harmless.
        }
    }
}
