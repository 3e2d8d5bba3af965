using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using KdcHa.Common;
using KdcHa.Monitor;

namespace KdcHa.Status;

/// <summary>A status document that is not one a monitor writes: too large, too deep, wrong types, missing fields.</summary>
public sealed class StatusDocumentException : KdcHaException
{
    public StatusDocumentException(string message)
        : base(message)
    {
    }

    public StatusDocumentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Reads a monitor's status document (status.json, or what /status serves) from a source that may be hostile: an
/// endpoint anyone can answer on, a file anyone with access could have replaced. The document has a byte cap and a
/// depth cap, enums only by name, lists of bounded length, and every string is cut to a bounded length without
/// control characters, so nothing in it can flood the reader or write escape sequences to the operator's terminal.
/// </summary>
public static class StatusDocument
{
    /// <summary>A monitor of a few KDCs and instances writes a few kilobytes; the cap leaves room for a hundred times that.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The deepest the monitor's document nests is four (status, list, split brain, masters).</summary>
    public const int MaxDepth = 16;

    /// <summary>More entries than any cluster KdcHa supports: KDCs a node probes, VRRP instances, split brains, masters.</summary>
    public const int MaxListLength = 64;

    private const int MaxNameLength = 253;
    private const int MaxTextLength = 1024;

    private static readonly JsonSerializerOptions Options = new()
    {
        MaxDepth = MaxDepth,
        // A number where a state name belongs would otherwise become an enum value the monitor never writes.
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
    };

    /// <summary>The status in <paramref name="document"/>, with its strings made safe to show.</summary>
    /// <exception cref="StatusDocumentException">The bytes are not a monitor status.</exception>
    public static MonitorStatus Parse(ReadOnlySpan<byte> document)
    {
        if (document.Length > MaxBytes)
        {
            throw new StatusDocumentException($"the status document is larger than {MaxBytes / 1024} KiB");
        }

        MonitorStatus? status;
        try
        {
            status = JsonSerializer.Deserialize<MonitorStatus>(document, Options);
        }
        catch (JsonException e)
        {
            throw new StatusDocumentException($"not a KdcHa monitor status: {Safe(e.Message, MaxTextLength)}", e);
        }

        if (status is null)
        {
            throw new StatusDocumentException("not a KdcHa monitor status: it holds null");
        }

        Check(status);
        return status;
    }

    /// <summary><paramref name="text"/> without control characters (an escape sequence, a newline) and at most <paramref name="maxLength"/> characters.</summary>
    public static string Safe(string? text, int maxLength = MaxTextLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var cut = text.Length > maxLength;
        var safe = new StringBuilder(Math.Min(text.Length, maxLength) + 1);
        foreach (var c in cut ? text.AsSpan(0, maxLength) : text.AsSpan())
        {
            safe.Append(char.IsControl(c) || char.IsSurrogate(c) ? ' ' : c);
        }

        return cut ? safe.Append('…').ToString() : safe.ToString();
    }

    private static void Check(MonitorStatus status)
    {
        // Lists the document omits, or gives as null, are as good as empty; lists longer than any cluster are not a status.
        status.Kdcs = Bounded(status.Kdcs, "KDCs");
        status.Vrrp = Bounded(status.Vrrp, "VRRP instances");
        status.SplitBrains = Bounded(status.SplitBrains, "split brains");
        status.Frontends = status.Frontends is null ? null : Bounded(status.Frontends, "HAProxy frontends");
        var frontends = status.Frontends ?? new List<KdcStatus>();
        if (string.IsNullOrWhiteSpace(status.Node))
        {
            throw new StatusDocumentException("not a KdcHa monitor status: it names no node");
        }

        if (status.Updated == default)
        {
            throw new StatusDocumentException("not a KdcHa monitor status: it has no Updated time");
        }

        // Names joined by commas ("Up, Down") parse as an enum value no monitor writes.
        if (status.Kdcs.Concat(frontends).Any(kdc => kdc is not null && !Enum.IsDefined(kdc.Health))
            || status.Vrrp.Any(instance => instance is not null && !Enum.IsDefined(instance.InstanceState)))
        {
            throw new StatusDocumentException("not a KdcHa monitor status: a state is not one a monitor writes");
        }

        status.Node = Safe(status.Node, MaxNameLength);
        status.Reason = Safe(status.Reason);
        foreach (var kdc in status.Kdcs.Concat(frontends))
        {
            if (kdc is null)
            {
                throw new StatusDocumentException("not a KdcHa monitor status: a KDC entry is null");
            }

            kdc.Kdc = Safe(kdc.Kdc, MaxNameLength);
            kdc.LastProbeStatus = Safe(kdc.LastProbeStatus, MaxNameLength);
            kdc.LastMessage = Safe(kdc.LastMessage);
        }

        foreach (var instance in status.Vrrp)
        {
            if (instance is null)
            {
                throw new StatusDocumentException("not a KdcHa monitor status: a VRRP instance entry is null");
            }

            instance.Kind = Safe(instance.Kind, MaxNameLength);
            instance.Instance = Safe(instance.Instance, MaxNameLength);
        }

        foreach (var splitBrain in status.SplitBrains)
        {
            if (splitBrain is null)
            {
                throw new StatusDocumentException("not a KdcHa monitor status: a split-brain entry is null");
            }

            splitBrain.Masters = Bounded(splitBrain.Masters, "masters of a split brain").Select(master => Safe(master, MaxNameLength)).ToList();
        }
    }

    private static List<T> Bounded<T>(List<T>? list, string what) => list is null
        ? new List<T>()
        : list.Count <= MaxListLength
            ? list
            : throw new StatusDocumentException($"not a KdcHa monitor status: it lists {list.Count} {what}, more than {MaxListLength}");
}
