using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace KdcHa.Tests.Kerberos.Keytabs;

/// <summary>One <c>addent -password</c> line for MIT ktutil.</summary>
internal sealed record KtutilEntry(string Principal, uint KeyVersion, string EncryptionTypeName, string Password);

/// <summary>One key as printed by <c>klist -kK -e -t</c>.</summary>
internal sealed record KlistKey(uint KeyVersion, DateTime Timestamp, string Principal, int EncryptionType, string KeyHex);

/// <summary>
/// Drives MIT ktutil/klist (Debian krb5-user) so keytab tests compare our parser with MIT's own reading of files
/// MIT wrote. The tests say so with [LabFact("ktutil", "klist")]: skipped without them, failed in the full build.ps1 Test.
/// </summary>
internal static partial class MitKeytabTools
{
    private static readonly Dictionary<string, int> EncryptionTypeNumbers = new()
    {
        ["aes128-cts-hmac-sha1-96"] = 17,
        ["aes256-cts-hmac-sha1-96"] = 18,
        ["aes128-cts-hmac-sha256-128"] = 19,
        ["aes256-cts-hmac-sha384-192"] = 20,
        ["arcfour-hmac"] = 23,
    };

    public static int EncryptionTypeNumber(string name) => EncryptionTypeNumbers[name];

    public static void WriteKeytab(string path, IEnumerable<KtutilEntry> entries)
    {
        var script = new StringBuilder();
        foreach (var entry in entries)
        {
            script.Append($"addent -password -p {entry.Principal} -k {entry.KeyVersion} -e {entry.EncryptionTypeName}\n{entry.Password}\n");
        }

        script.Append($"wkt {path}\nquit\n");
        Run("ktutil", Array.Empty<string>(), script.ToString());
    }

    public static IReadOnlyList<KlistKey> ListKeys(string path)
    {
        var output = Run("klist", new[] { "-kK", "-e", "-t", path }, stdin: null);
        return output.Split('\n')
            .Select(line => KlistLine().Match(line))
            .Where(match => match.Success)
            .Select(match => new KlistKey(
                uint.Parse(match.Groups["kvno"].Value, CultureInfo.InvariantCulture),
                DateTime.SpecifyKind(DateTime.ParseExact(match.Groups["time"].Value, "MM/dd/yy HH:mm:ss", CultureInfo.InvariantCulture), DateTimeKind.Utc),
                match.Groups["principal"].Value,
                EncryptionTypeNumber(match.Groups["etype"].Value),
                match.Groups["key"].Value))
            .ToList();
    }

    private static string Run(string tool, string[] arguments, string? stdin)
    {
        var startInfo = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // klist prints local time; pin it to UTC so timestamps compare with the parsed (UTC) ones.
        startInfo.Environment["TZ"] = "UTC";

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{tool} did not start.");
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"MIT '{tool}' is required for keytab interoperability tests (Debian package krb5-user): {ex.Message}");
            throw;
        }

        using (process)
        {
            process.StandardInput.Write(stdin ?? string.Empty);
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                Assert.Fail($"{tool} did not finish within 30 s.");
            }

            Assert.True(process.ExitCode == 0, $"{tool} exited with {process.ExitCode}: {stderr.Result}");
            return stdout;
        }
    }

    [GeneratedRegex(@"^\s*(?<kvno>\d+)\s+(?<time>\d\d/\d\d/\d\d \d\d:\d\d:\d\d)\s+(?<principal>\S+)\s+\((?:DEPRECATED:)?(?<etype>[a-z0-9-]+)\)\s+\(0x(?<key>[0-9a-f]+)\)\s*$")]
    private static partial Regex KlistLine();
}
