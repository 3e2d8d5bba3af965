using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace KdcHa.Tests.Architecture;

/// <summary>
/// The engine's top-level folders (Kerberos/, Keepalived/, Vrrp/, ...) import each other without a cycle, and Common/
/// imports none of them. A file imports a folder by <c>using KdcHa.Folder...;</c>, by a qualified
/// <c>KdcHa.Folder.</c> name, or by <c>Folder.Name</c>, which inside any KdcHa namespace resolves to KdcHa.Folder.
/// </summary>
public partial class EngineFolderImportTests
{

    [Fact]
    public void EngineFoldersImportEachOtherWithoutACycle()
    {
        var imports = FolderImports();
        var cycles = StronglyConnected(imports).Where(component => component.Count > 1).ToList();

        Assert.True(cycles.Count == 0, Describe(cycles, imports));
    }

    [Fact]
    public void CommonImportsNoOtherEngineFolder()
    {
        var imports = FolderImports();
        var common = imports.GetValueOrDefault("Common") ?? new Dictionary<string, SortedSet<string>>();

        Assert.True(common.Count == 0, "Common/ must depend on no other engine folder, but imports:\n" + string.Concat(common.Select(edge => Evidence("Common", edge.Key, edge.Value))));
    }

    /// <summary>folder → imported folder → the files (relative to the engine) that import it.</summary>
    private static Dictionary<string, Dictionary<string, SortedSet<string>>> FolderImports()
    {
        var folders = Directory.GetDirectories(SourceTree.Engine).Select(Path.GetFileName).OfType<string>()
            .Where(name => name is not ("bin" or "obj")).ToHashSet();
        var bare = new Regex($@"(?<![\w.])(?<folder>{string.Join("|", folders)})\.[A-Z]");
        var imports = folders.ToDictionary(folder => folder, _ => new Dictionary<string, SortedSet<string>>());
        foreach (var file in SourceTree.Files(SourceTree.Engine))
        {
            var relative = SourceTree.Relative(SourceTree.Engine, file);
            var from = relative.Split('/')[0];
            if (!folders.Contains(from))
            {
                continue;
            }

            // A file's own namespace line names where it lives, not what it imports.
            var code = NamespaceDeclaration().Replace(SourceTree.Code(file), string.Empty);
            var referenced = Qualified().Matches(code).Concat(bare.Matches(code)).Select(match => match.Groups["folder"].Value);
            foreach (var to in referenced.Where(to => to != from && folders.Contains(to)))
            {
                (imports[from].TryGetValue(to, out var files) ? files : imports[from][to] = new SortedSet<string>()).Add(relative);
            }
        }

        return imports;
    }

    /// <summary>Tarjan's strongly connected components: every folder of a component reaches every other.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, SortedSet<string>>> imports)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var components = new List<List<string>>();

        void Visit(string folder)
        {
            index[folder] = low[folder] = index.Count;
            stack.Push(folder);
            foreach (var next in imports[folder].Keys.Order())
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[folder] = System.Math.Min(low[folder], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[folder] = System.Math.Min(low[folder], index[next]);
                }
            }

            if (low[folder] == index[folder])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    component.Add(member);
                }
                while (member != folder);
                components.Add(component.Order().ToList());
            }
        }

        foreach (var folder in imports.Keys.Order().Where(folder => !index.ContainsKey(folder)))
        {
            Visit(folder);
        }

        return components;
    }

    private static string Describe(List<List<string>> cycles, Dictionary<string, Dictionary<string, SortedSet<string>>> imports)
    {
        var text = new StringBuilder("Engine folders import each other in a cycle:\n");
        foreach (var cycle in cycles)
        {
            text.Append("  ").AppendJoin(" <-> ", cycle).Append('\n');
            foreach (var from in cycle)
            {
                foreach (var edge in imports[from].Where(edge => cycle.Contains(edge.Key)).OrderBy(edge => edge.Key))
                {
                    text.Append(Evidence(from, edge.Key, edge.Value));
                }
            }
        }

        return text.ToString();
    }

    private static string Evidence(string from, string to, SortedSet<string> files) =>
        $"    {from} -> {to}: {string.Join(", ", files.Take(4))}{(files.Count > 4 ? $" and {files.Count - 4} more" : string.Empty)}\n";

    [GeneratedRegex(@"\bKdcHa\.(?<folder>\w+)")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"^\s*namespace\s+[\w.]+", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
