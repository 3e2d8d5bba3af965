using System;
using KdcHa.Common;
using KdcHa.Kerberos.Messages;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// What the KDCs of a realm took as pre-authentication for a client last time: the encryption type with its salt and
/// string-to-key parameters. With it a probe sends PA-ENC-TIMESTAMP in its first request, as Windows clients do,
/// and the AS exchange takes one round trip instead of two (half the latency, half the load on the KDC). The
/// KDCs of one realm share one database, so a hint is per client principal, not per KDC; a KDC that no longer
/// takes it costs one extra round trip, and the hint is replaced.
/// </summary>
public sealed class PreAuthenticationHints
{
    /// <summary>
    /// A process probing an unbounded number of principals starts afresh at this size; a monitor or a script probes
    /// a handful.
    /// </summary>
    internal const int Capacity = 1024;

    private readonly CappedCache<string, ETypeInfo2Entry> _hints = new(Capacity, StringComparer.Ordinal);

    /// <summary>
    /// Shared by every probe in the process: Test-KdcHealth builds a new probe per call, and its second call should
    /// already take one round trip.
    /// </summary>
    public static PreAuthenticationHints Shared { get; } = new();

    internal ETypeInfo2Entry? Find(string clientPrincipal) =>
        _hints.TryGet(clientPrincipal, out var hint) ? hint : null;

    internal void Remember(string clientPrincipal, ETypeInfo2Entry accepted) => _hints.Set(clientPrincipal, accepted);

    internal void Forget(string clientPrincipal) => _hints.Remove(clientPrincipal);
}
