using System;
using System.Collections.Generic;

namespace KdcHa.Vrrp;

/// <summary>
/// The vrrp_instance blocks of a keepalived.conf: name, interface, virtual_router_id, priority and the
/// virtual_ipaddress list: what the Interface source knows besides the addresses a namespace holds. include files,
/// @config-id lines and $macros are not expanded, so instances defined through them are not seen.
/// </summary>
public static class KeepalivedConfigFile
{
    private const int DefaultPriority = 100;

    /// <summary>The instances in the text; instances without a usable virtual_router_id are left out.</summary>
    public static IReadOnlyList<KeepalivedConfiguredInstance> Parse(string text)
    {
        var tokens = Tokens(text);
        var instances = new List<KeepalivedConfiguredInstance>();
        for (var i = 0; i + 2 < tokens.Count; i++)
        {
            if (tokens[i].Text != "vrrp_instance" || tokens[i + 2].Text != "{")
            {
                continue;
            }

            var name = tokens[i + 1].Text;
            string? interfaceName = null;
            int? vrid = null;
            int? priority = null;
            var vips = new List<string>();
            var depth = 0;
            var j = i + 2;
            for (; j < tokens.Count; j++)
            {
                var token = tokens[j].Text;
                if (token == "{")
                {
                    depth++;
                }
                else if (token == "}" && --depth == 0)
                {
                    break;
                }
                else if (depth == 1 && j + 1 < tokens.Count)
                {
                    var value = tokens[j + 1].Text;
                    switch (token)
                    {
                        case "interface":
                            interfaceName = value;
                            break;
                        case "virtual_router_id":
                            vrid = KeepalivedNumbers.Parse(value, 1, 255);
                            break;
                        case "priority":
                            priority = KeepalivedNumbers.Parse(value, 1, 255);
                            break;
                        case "virtual_ipaddress" when value == "{":
                            j = ReadAddressBlock(tokens, j + 2, vips);
                            break;
                    }
                }
            }

            if (vrid is { } virtualRouterId)
            {
                instances.Add(new KeepalivedConfiguredInstance(name, virtualRouterId, interfaceName, priority ?? DefaultPriority, vips));
            }

            i = j;
        }

        return instances;
    }

    /// <summary>Each line of the block starts with an address; the rest of the line (dev, scope, label) is not ours.</summary>
    private static int ReadAddressBlock(List<(string Text, int Line)> tokens, int start, List<string> vips)
    {
        var line = -1;
        for (var k = start; k < tokens.Count; k++)
        {
            if (tokens[k].Text == "}")
            {
                return k;
            }

            if (tokens[k].Line != line)
            {
                line = tokens[k].Line;
                vips.Add(LocalAddresses.StripPrefix(tokens[k].Text));
            }
        }

        return tokens.Count;
    }

    /// <summary>Words and braces with their line numbers; comments (# and !) dropped.</summary>
    private static List<(string Text, int Line)> Tokens(string text)
    {
        var tokens = new List<(string, int)>();
        var lines = text.Split('\n');
        for (var number = 0; number < lines.Length; number++)
        {
            var comment = lines[number].IndexOfAny(new[] { '#', '!' });
            var line = (comment < 0 ? lines[number] : lines[number].Substring(0, comment)).Replace("{", " { ").Replace("}", " } ");
            foreach (var word in line.Split(new[] { ' ', '\t', '\r' }, StringSplitOptions.RemoveEmptyEntries))
            {
                tokens.Add((word, number));
            }
        }

        return tokens;
    }
}
