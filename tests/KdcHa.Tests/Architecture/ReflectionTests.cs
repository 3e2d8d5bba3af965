using System.Linq;
using System.Text.RegularExpressions;

namespace KdcHa.Tests.Architecture;

/// <summary>
/// src/ names the .NET APIs it uses instead of looking them up at run time: a member found by a string compiles
/// whatever the target lacks and fails only in production. Reflection over a KdcHa type stays allowed when it starts
/// from <c>typeof(ThatType)</c>, which the check can see is ours.
/// </summary>
public partial class ReflectionTests
{
    [Fact]
    public void SrcLooksUpNoMemberByReflection()
    {
        var files = SourceTree.Files(SourceTree.Src);
        var ownTypes = files.SelectMany(file => TypeDeclaration().Matches(SourceTree.Code(file)).Select(match => match.Groups["name"].Value)).ToHashSet();
        var lookups = files
            .SelectMany(file => SourceTree.Code(file).Split('\n')
                .Select((line, index) => (File: SourceTree.Relative(SourceTree.Src, file), Line: index + 1, Text: line)))
            .SelectMany(line => Lookup().Matches(line.Text)
                .Where(match => !ownTypes.Contains(match.Groups["own"].Value))
                .Select(match => $"  {line.File}:{line.Line}: {match.Value.Trim()}"))
            .ToList();

        Assert.True(lookups.Count == 0, "src/ looks up members by reflection (call the API directly; net8.0 has it):\n" + string.Join("\n", lookups));
    }

    // typeof(T).X( with T a type declared in src/ is let through by the test; anything else that looks up a member,
    // a type by name or an instance by type is a lookup. GetProperty also names JsonElement's method, so it counts only
    // on something that is a Type (typeof, GetType(), or a name ending in Type).
    [GeneratedRegex(
        @"(?:typeof\(\s*(?:[\w.]+\.)?(?<own>\w+)(?:<[^)]*>)?\s*\)|\b\w+)?\s*\.\s*(?:GetMethods?|GetFields?|GetConstructors?|GetEvents?|GetMembers?|GetNestedTypes?|GetInterface|InvokeMember|GetRuntime(?:Method|Property|Field|Event)s?|GetDeclared(?:Method|Property|Field|Constructor)s?)\s*\(" +
        @"|(?:typeof\(\s*(?:[\w.]+\.)?(?<own>\w+)(?:<[^)]*>)?\s*\)|GetType\(\s*\)|\b\w*[Tt]ype)\s*\.\s*GetPropert(?:y|ies)\s*\(" +
        @"|\bType\s*\.\s*GetType\s*\(|\bActivator\s*\.\s*CreateInstance\b|\bAssembly\s*\.\s*(?:Load|LoadFrom|LoadFile)\s*\(|\.\s*Assembly\s*\.\s*GetType\s*\(|\bBindingFlags\s*\.")]
    private static partial Regex Lookup();

    [GeneratedRegex(@"\b(?:class|struct|record|interface|enum)\s+(?<name>\w+)")]
    private static partial Regex TypeDeclaration();
}
