using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Vrrp;

namespace KdcHa.Keepalived;

/// <summary>
/// Answers "what is VRRP doing" from one source, or for Auto from the richest one available: Json (state,
/// priorities, addresses, last transition), Data (the same from text), DBus (keepalived's own state, without
/// priorities or addresses), Interface (inferred from the addresses held). Auto without a local keepalived listens
/// on the wire when asked to listen. With a listening
/// time, states from keepalived also carry what was heard on the wire (peers, master, split brain).
/// </summary>
public sealed class VrrpStateReader
{
    private readonly IReadOnlyList<IVrrpStateSource> _sources;

    public VrrpStateReader()
        : this(new IVrrpStateSource[] { new JsonDumpStateSource(), new DataDumpStateSource(), new DBusStateSource(), new InterfaceStateSource(), new WireStateSource() })
    {
    }

    public VrrpStateReader(IReadOnlyList<IVrrpStateSource> sourcesRichestFirst)
    {
        _sources = sourcesRichestFirst;
    }

    /// <summary>
    /// The states from <paramref name="source"/> (one source, or Auto). For Auto, <paramref name="listenOnWire"/>
    /// also hears the wire for <see cref="VrrpQuery.ListenTime"/>; <paramref name="output"/> is told, as verbose lines, which source was tried
    /// and why another was skipped (the cmdlet's -Verbose).
    /// </summary>
    public async Task<IReadOnlyList<VrrpInstanceState>> ReadAsync(VrrpQuery query, VrrpSourceKind source, bool listenOnWire, IOperationOutput output, CancellationToken cancellationToken)
    {
        if (source != VrrpSourceKind.Auto)
        {
            var named = _sources.FirstOrDefault(s => s.Kind == source) ?? throw new ArgumentException($"This reader has no {source} source.", nameof(source));
            return await named.GetStatesAsync(query, cancellationToken).ConfigureAwait(false);
        }

        if (listenOnWire && !query.HasKeepalived())
        {
            output.WriteVerbose($"No keepalived at {query.PidFile}: listening on the wire.");
            return await _sources.First(s => s.Kind == VrrpSourceKind.Wire).GetStatesAsync(query, cancellationToken).ConfigureAwait(false);
        }

        // Throws the precise reason (not running, stale pid file, permission) when there is no keepalived.
        var keepalived = query.FindKeepalived();
        output.WriteVerbose($"keepalived pid {keepalived.ProcessId}, dumps in {keepalived.TempDirectory}, config {keepalived.ConfigFile}.");
        var states = await FromRichestAsync(query, output, cancellationToken).ConfigureAwait(false);
        return listenOnWire ? await WithWireAsync(states, query, cancellationToken).ConfigureAwait(false) : states;
    }

    private async Task<IReadOnlyList<VrrpInstanceState>> FromRichestAsync(VrrpQuery query, IOperationOutput output, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        KeepalivedDumpFormatException? invalidDump = null;
        foreach (var source in _sources.Where(s => s.Kind != VrrpSourceKind.Wire))
        {
            if (!source.IsAvailable(query))
            {
                output.WriteVerbose($"{source.Kind}: not available here.");
                continue;
            }

            try
            {
                var states = await source.GetStatesAsync(query, cancellationToken).ConfigureAwait(false);
                output.WriteVerbose($"{source.Kind}: {states.Count} instance(s).");
                return states;
            }
            catch (Exception e) when (e is VrrpSourceUnavailableException or KeepalivedDumpFormatException)
            {
                output.WriteVerbose($"{source.Kind}: {e.Message}");
                failures.Add($"{source.Kind}: {e.Message}");
                invalidDump ??= e as KeepalivedDumpFormatException;
            }
        }

        // A source that answered with something not keepalived's is the finding to report, not that none answered.
        var summary = "No source could read keepalived's state. " + string.Join(" ", failures);
        throw invalidDump is null ? new VrrpSourceUnavailableException(summary) : new KeepalivedDumpFormatException(summary, invalidDump);
    }

    private static async Task<IReadOnlyList<VrrpInstanceState>> WithWireAsync(IReadOnlyList<VrrpInstanceState> states, VrrpQuery query, CancellationToken cancellationToken)
    {
        var interfaces = query.Interface is { } named
            ? new[] { named }
            : states.Select(s => s.Interface).OfType<string>().Distinct().ToArray();
        if (interfaces.Length == 0)
        {
            interfaces = new[] { WireObservation.OnlyInterface() };
        }

        var observation = await WireObservation.ListenAsync(interfaces, query.ListenTime, cancellationToken).ConfigureAwait(false);
        return states.Select(s =>
        {
            var (peers, masterAddress, splitBrain) = observation.For(FamilyOf(s), s.VirtualRouterId);
            return s.WithWire(peers, masterAddress, splitBrain);
        }).ToList();
    }

    private static AddressFamily FamilyOf(VrrpInstanceState state) =>
        state.Family == VrrpInstanceState.FamilyName(AddressFamily.InterNetworkV6) ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
}

/// <summary>What a state source is asked: which keepalived (its pid file), which interface to listen on, for how long.</summary>
public sealed class VrrpQuery
{
    private KeepalivedProcess? _keepalived;
    private KdcHaException? _keepalivedError;

    public string PidFile { get; init; } = KeepalivedProcess.DefaultPidFile;

    /// <summary>The interface the Wire source listens on; by default keepalived's instance interfaces, or the host's only interface.</summary>
    public string? Interface { get; init; }

    /// <summary>How long the Wire source listens: three advertisement intervals at keepalived's default of 1 s.</summary>
    public TimeSpan ListenTime { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long to wait for keepalived to write a dump after the signal.</summary>
    public TimeSpan DumpTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the DBus source waits for the bus's handshake and for each reply.</summary>
    public TimeSpan BusTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The keepalived of <see cref="PidFile"/>, found once per query.</summary>
    /// <exception cref="KeepalivedNotRunningException"/>
    /// <exception cref="PidFileStaleException"/>
    /// <exception cref="VrrpPermissionException"/>
    public KeepalivedProcess FindKeepalived()
    {
        if (_keepalived is null && _keepalivedError is null)
        {
            try
            {
                _keepalived = KeepalivedProcess.Find(PidFile);
            }
            catch (Exception e) when (e is KeepalivedNotRunningException or PidFileStaleException or VrrpPermissionException)
            {
                _keepalivedError = (KdcHaException)e;
            }
        }

        return _keepalived ?? throw _keepalivedError!;
    }

    /// <summary>True when <see cref="FindKeepalived"/> succeeds.</summary>
    public bool HasKeepalived()
    {
        try
        {
            FindKeepalived();
            return true;
        }
        catch (KdcHaException)
        {
            return false;
        }
    }
}

/// <summary>Where Get-VrrpState reads from; Auto picks the richest source available.</summary>
public enum VrrpSourceKind
{
    Auto,
    DBus,
    Json,
    Data,
    Interface,
    Wire,
}
