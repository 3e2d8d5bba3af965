using System;
using System.IO;
using System.Linq;

namespace KdcHa.Tests;

/// <summary>
/// A fact that needs what only a lab machine has: root (network namespaces, raw sockets) when <see cref="Root"/> is
/// set, and every program named on PATH. Where one is missing the test is skipped and says why, so a non-root
/// <c>build.ps1 Test -Unit</c> runs the rest. The full <c>build.ps1 Test</c> sets KDCHA_LAB_REQUIRED=1: then nothing
/// is skipped and a missing requirement fails the test, because CI must never pass on lab tests it did not run.
/// </summary>
public sealed class LabFactAttribute(params string[] programs) : FactAttribute
{
    public bool Root { get; set; }

    public override string? Skip { get => base.Skip ?? LabRequirements.SkipReason(Root, programs); set => base.Skip = value; }
}

/// <summary>The theory form of <see cref="LabFactAttribute"/>.</summary>
public sealed class LabTheoryAttribute(params string[] programs) : TheoryAttribute
{
    public bool Root { get; set; }

    public override string? Skip { get => base.Skip ?? LabRequirements.SkipReason(Root, programs); set => base.Skip = value; }
}

internal static class LabRequirements
{
    private static readonly bool Required = Environment.GetEnvironmentVariable("KDCHA_LAB_REQUIRED") == "1";

    public static string? SkipReason(bool root, string[] programs)
    {
        if (Required)
        {
            return null;
        }

        var missing = (root && !Environment.IsPrivilegedProcess ? new[] { "root" } : Array.Empty<string>())
            .Concat(programs.Where(program => !OnPath(program)).Select(program => $"'{program}' on PATH"))
            .ToArray();
        return missing.Length == 0 ? null : $"Needs {string.Join(" and ", missing)}: a lab test, which build.ps1 Test runs as root.";
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));
}
