using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using KdcHa.Vrrp;

namespace KdcHa.Keepalived;

/// <summary>
/// keepalived's JSON dump (SIGFUNC JSON): an array of {"data": {...}, "stats": {...}}, one per VRRP instance.
/// Fields used: iname, ifp_ifname, vrid, base_priority, effective_priority, state, last_transition, vips.
/// </summary>
public static class KeepalivedJsonDump
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    /// <exception cref="KeepalivedDumpFormatException">Not JSON, or not keepalived's shape.</exception>
    public static IReadOnlyList<VrrpInstanceState> Parse(ReadOnlyMemory<byte> json, ISet<IPAddress>? heldAddresses)
    {
        try
        {
            using var document = JsonDocument.Parse(json, Options);
            return Instances(document, heldAddresses);
        }
        catch (JsonException e)
        {
            throw new KeepalivedDumpFormatException($"keepalived's JSON dump is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // A string that is not valid UTF-8 passes the parser and fails only when read.
            throw new KeepalivedDumpFormatException($"keepalived's JSON dump holds a string that is not UTF-8: {e.Message}", e);
        }
    }

    private static IReadOnlyList<VrrpInstanceState> Instances(JsonDocument document, ISet<IPAddress>? heldAddresses)
    {
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new KeepalivedDumpFormatException("keepalived's JSON dump is not an array of instances.");
        }

        var states = new List<VrrpInstanceState>();
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                throw new KeepalivedDumpFormatException("An instance in keepalived's JSON dump has no \"data\" object.");
            }

            var name = Text(data, "iname") ?? throw new KeepalivedDumpFormatException("An instance in keepalived's JSON dump has no \"iname\".");
            var vrid = Integer(data, "vrid");
            if (vrid is not (>= 1 and <= 255))
            {
                throw new KeepalivedDumpFormatException($"Instance {name} in keepalived's JSON dump has no virtual router id of 1-255.");
            }

            var vips = data.TryGetProperty("vips", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => FirstWord(v.GetString()!)).Where(v => v.Length > 0).ToList()
                : new List<string>();
            var state = Integer(data, "state") is { } code ? KeepalivedStateCodes.FromCode(code) : VrrpState.Unknown;
            states.Add(new VrrpInstanceState(name, (int)vrid, state, "Json")
            {
                Interface = Text(data, "ifp_ifname") is { Length: > 0 } ifName ? ifName : null,
                Priority = Priority(data, "base_priority"),
                EffectivePriority = Priority(data, "effective_priority"),
                VirtualIPAddresses = vips,
                HoldsVirtualIP = LocalAddresses.HoldsAll(vips, heldAddresses),
                LastTransition = data.TryGetProperty("last_transition", out var when) && when.ValueKind == JsonValueKind.Number && when.TryGetDouble(out var seconds)
                    ? KeepalivedStateCodes.FromUnixSeconds(seconds)
                    : null,
            });
        }

        return states;
    }

    /// <summary>"10.0.0.100/24 dev eth0 scope global set" → "10.0.0.100".</summary>
    internal static string FirstWord(string text)
    {
        var trimmed = text.Trim();
        var space = trimmed.IndexOf(' ');
        return LocalAddresses.StripPrefix(space < 0 ? trimmed : trimmed.Substring(0, space));
    }

    private static string? Text(JsonElement data, string property) =>
        data.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Integer(JsonElement data, string property) =>
        data.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static int? Priority(JsonElement data, string property) => Integer(data, property) is { } p and >= 0 and <= 255 ? (int)p : null;
}
