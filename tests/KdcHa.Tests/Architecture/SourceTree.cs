using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace KdcHa.Tests.Architecture;

/// <summary>
/// The C# sources under src/ of the repository this test assembly was built from (found by walking up from the
/// assembly to the folder holding KdcHa.sln), without bin/ and obj/.
/// </summary>
internal static partial class SourceTree
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string Src => Path.Combine(Root.Value, "src");

    public static string Engine => Path.Combine(Src, "KdcHa.Engine");

    public static IReadOnlyList<string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(path => !Relative(directory, path).Split('/').Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The path below <paramref name="directory"/>, with forward slashes.</summary>
    public static string Relative(string directory, string path) => Path.GetRelativePath(directory, path).Replace('\\', '/');

    /// <summary>
    /// The file's code with comments removed and every string or character literal emptied to <c>""</c>, so that
    /// words in prose or in messages are never taken for references.
    /// </summary>
    public static string Code(string path) => CommentOrLiteral().Replace(File.ReadAllText(path), match => match.Value.StartsWith('/') ? " " : "\"\"");

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KdcHa.sln")) && Directory.Exists(Path.Combine(directory.FullName, "src")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds KdcHa.sln and src/: the architecture tests read the sources of the repository they were built in.");
    }

    // Raw strings first: at a """ the plain-string branch would otherwise take "" and leave the rest as code.
    [GeneratedRegex(@"""{3,}[\s\S]*?""{3,}|@""(?:[^""]|"""")*""|//[^\n]*|/\*[\s\S]*?\*/|""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])+'")]
    private static partial Regex CommentOrLiteral();
}
