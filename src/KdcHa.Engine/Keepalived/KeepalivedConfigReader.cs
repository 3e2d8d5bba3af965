using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using KdcHa.Common;

namespace KdcHa.Keepalived;

/// <summary>
/// Reads the VRRP instances and track files out of a keepalived configuration. It understands the grammar
/// keepalived itself uses (one statement per line, <c>{ }</c> blocks, <c>#</c> and <c>!</c> comments, quoted strings,
/// <c>include</c> with a wildcard in the file name) and ignores every block it does not need.
/// </summary>
public static class KeepalivedConfigReader
{
    // keepalived refuses deeper nesting itself; the limit here only stops an include loop.
    private const int MaximumIncludeDepth = 8;

    public static KeepalivedConfig Read(string path) => FromNodes(path, ReadNodes(path, depth: 0));

    /// <summary>Parses configuration text; includes in it are resolved relative to <paramref name="path"/>.</summary>
    public static KeepalivedConfig Parse(string text, string path) => FromNodes(path, Resolve(ParseBlock(Tokenize(text), path), path, depth: 0));

    /// <summary>The vrrp_instance names of <paramref name="path"/>, for -Instance completion; nothing when it cannot be read.</summary>
    public static IReadOnlyList<CompletionCandidate> InstanceCandidates(string path) =>
        CompletionFile.Read(path, file => Read(file).Instances.Select(instance => new CompletionCandidate(instance.Name, $"vrrp_instance on {instance.Interface} in {file}")));

    private static KeepalivedConfig FromNodes(string path, IReadOnlyList<KeepalivedConfigNode> nodes)
    {
        var trackFiles = nodes.Where(node => node.Keyword is "track_file" or "vrrp_track_file").Select(ToTrackFile).ToArray();
        var instances = nodes.Where(node => node.Keyword == "vrrp_instance").Select(ToInstance).ToArray();
        var dbusServiceName = nodes
            .Where(node => node.Keyword == "global_defs")
            .SelectMany(node => node.Children)
            .Where(node => node.Keyword == "dbus_service_name")
            .Select(node => node.Argument(1))
            .LastOrDefault(name => name is not null);
        return new KeepalivedConfig(path, instances, trackFiles, dbusServiceName);
    }

    private static IReadOnlyList<KeepalivedConfigNode> ReadNodes(string path, int depth)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeepalivedConfigException($"The keepalived configuration {path} cannot be read: {e.Message}");
        }

        return Resolve(ParseBlock(Tokenize(text), path), path, depth);
    }

    private static IReadOnlyList<KeepalivedConfigNode> Resolve(IReadOnlyList<KeepalivedConfigNode> nodes, string path, int depth)
    {
        var resolved = new List<KeepalivedConfigNode>();
        foreach (var node in nodes)
        {
            if (node.Keyword == "include" && node.Argument(1) is { } pattern)
            {
                if (depth >= MaximumIncludeDepth)
                {
                    throw new KeepalivedConfigException($"{path} nests includes deeper than {MaximumIncludeDepth} levels; is there an include loop?");
                }

                foreach (var included in ExpandInclude(pattern, path))
                {
                    resolved.AddRange(ReadNodes(included, depth + 1));
                }

                continue;
            }

            node.Children = Resolve(node.Children, path, depth);
            resolved.Add(node);
        }

        return resolved;
    }

    private static IEnumerable<string> ExpandInclude(string pattern, string includingFile)
    {
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(includingFile)) ?? "/";
        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDirectory, pattern);
        var directory = Path.GetDirectoryName(full) ?? "/";
        var filePattern = Path.GetFileName(full);
        if (filePattern.IndexOfAny(new[] { '*', '?' }) < 0)
        {
            return File.Exists(full) ? new[] { full } : Array.Empty<string>();
        }

        // keepalived uses glob(3), which sorts; an unmatched pattern is not an error there either.
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory, filePattern).OrderBy(file => file, StringComparer.Ordinal)
            : Enumerable.Empty<string>();
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        void Flush()
        {
            if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    quoted = false;
                    tokens.Add(current.ToString());
                    current.Clear();
                }
                else
                {
                    current.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    Flush();
                    quoted = true;
                    break;
                case '#' or '!':
                    Flush();
                    while (i + 1 < text.Length && text[i + 1] != '\n')
                    {
                        i++;
                    }

                    break;
                case '{' or '}':
                    Flush();
                    tokens.Add(c.ToString());
                    break;
                case '\n':
                    Flush();
                    tokens.Add("\n");
                    break;
                default:
                    if (char.IsWhiteSpace(c))
                    {
                        Flush();
                    }
                    else
                    {
                        current.Append(c);
                    }

                    break;
            }
        }

        Flush();
        return tokens;
    }

    private static IReadOnlyList<KeepalivedConfigNode> ParseBlock(List<string> tokens, string path)
    {
        var position = 0;
        var nodes = ParseBlock(tokens, ref position, path);
        if (position < tokens.Count)
        {
            throw new KeepalivedConfigException($"{path} closes a block that was never opened.");
        }

        return nodes;
    }

    private static List<KeepalivedConfigNode> ParseBlock(List<string> tokens, ref int position, string path)
    {
        var nodes = new List<KeepalivedConfigNode>();
        var words = new List<string>();
        while (position < tokens.Count)
        {
            var token = tokens[position++];
            switch (token)
            {
                case "\n":
                    AddStatement(nodes, words, Array.Empty<KeepalivedConfigNode>());
                    break;
                case "{":
                    var children = ParseBlock(tokens, ref position, path);
                    if (position > tokens.Count || tokens[position - 1] != "}")
                    {
                        throw new KeepalivedConfigException($"{path} has a block that is never closed.");
                    }

                    // "name\n{" puts the brace on its own line; it still belongs to the statement above.
                    if (words.Count == 0 && nodes.Count > 0 && nodes[nodes.Count - 1].Children.Count == 0)
                    {
                        nodes[nodes.Count - 1].Children = children;
                    }
                    else
                    {
                        AddStatement(nodes, words, children);
                    }

                    break;
                case "}":
                    AddStatement(nodes, words, Array.Empty<KeepalivedConfigNode>());
                    return nodes;
                default:
                    words.Add(token);
                    break;
            }
        }

        AddStatement(nodes, words, Array.Empty<KeepalivedConfigNode>());
        return nodes;
    }

    private static void AddStatement(List<KeepalivedConfigNode> nodes, List<string> words, IReadOnlyList<KeepalivedConfigNode> children)
    {
        if (words.Count > 0)
        {
            nodes.Add(new KeepalivedConfigNode(words.ToArray(), children));
            words.Clear();
        }
    }

    private static KeepalivedTrackFile ToTrackFile(KeepalivedConfigNode node)
    {
        var name = node.Argument(1) ?? throw new KeepalivedConfigException("A track_file block has no name.");
        var file = node.Children.FirstOrDefault(child => child.Keyword == "file");
        var weight = node.Children.FirstOrDefault(child => child.Keyword == "weight");
        var init = node.Children.FirstOrDefault(child => child.Keyword == "init_file");
        return new KeepalivedTrackFile
        {
            Name = name,
            FilePath = file?.Argument(1),
            Weight = weight?.Argument(1) is { } w ? ParseInteger(w, $"track_file {name} weight") : 1,
            Reverse = weight?.Words.Contains("reverse") ?? false,
            HasInitFile = init is not null,
            InitFileOverwrites = init?.Words.Contains("overwrite") ?? false,
        };
    }

    private static KeepalivedInstance ToInstance(KeepalivedConfigNode node)
    {
        var name = node.Argument(1) ?? throw new KeepalivedConfigException("A vrrp_instance block has no name.");
        string? Value(string keyword) => node.Children.LastOrDefault(child => child.Keyword == keyword)?.Argument(1);
        var addresses = node.Children.Where(child => child.Keyword == "virtual_ipaddress")
            .SelectMany(child => child.Children)
            .Select(address => ParseAddress(address.Keyword, name))
            .ToArray();
        var tracked = node.Children.Where(child => child.Keyword is "track_file" or "track_files")
            .SelectMany(child => child.Children)
            .Select(reference => new KeepalivedTrackFileReference
            {
                Name = reference.Keyword,
                Weight = reference.Words.Count > 2 && reference.Words[1] == "weight" ? ParseInteger(reference.Words[2], $"{name} track_file {reference.Keyword} weight") : null,
                Reverse = reference.Words.Contains("reverse"),
            })
            .ToArray();
        return new KeepalivedInstance
        {
            Name = name,
            Interface = Value("interface"),
            VirtualRouterId = Value("virtual_router_id") is { } vrid ? ParseInteger(vrid, $"{name} virtual_router_id") : 0,
            Priority = Value("priority") is { } priority ? ParseInteger(priority, $"{name} priority") : 100,
            Preempt = !node.Children.Any(child => child.Keyword == "nopreempt"),
            VirtualAddresses = addresses,
            TrackFiles = tracked,
        };
    }

    private static IPAddress ParseAddress(string text, string instance)
    {
        var slash = text.IndexOf('/');
        var address = slash < 0 ? text : text.Substring(0, slash);
        return IPAddress.TryParse(address, out var parsed)
            ? parsed
            : throw new KeepalivedConfigException($"vrrp_instance {instance} has a virtual_ipaddress '{text}' that is not an IP address.");
    }

    private static int ParseInteger(string text, string what) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new KeepalivedConfigException($"{what} is '{text}', not a whole number.");
}
