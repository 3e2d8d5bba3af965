using System;
using KdcHa.Common;
using KdcHa.Kerberos.Messages;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// What earlier probes learned that makes the next one cheaper for the KDC: per client principal, the
/// pre-authentication the realm took; per KDC, that its replies do not fit in a datagram.
/// </summary>
/// <remarks>
/// Pre-authentication: the encryption type with its salt and string-to-key parameters. With it a probe sends
/// PA-ENC-TIMESTAMP in its first request, as Windows clients do, and the AS exchange takes one round trip instead of
/// two (half the latency, half the load on the KDC). The KDCs of one realm share one database, so this hint is per
/// client principal, not per KDC; a KDC that no longer takes it costs one extra round trip, and the hint is replaced.
/// <para>
/// TCP: an Active Directory DC answers an authenticated AS-REQ with a PAC too big for its UDP limit (Samba's AS-REP
/// is about 1,512 bytes against 1,400), so over UDP it says KRB_ERR_RESPONSE_TOO_BIG and the client retries over
/// TCP: two logons on the DC per probe. In Auto mode such a KDC is probed over TCP directly for
/// <see cref="TcpMemory"/>, after which one UDP attempt finds out whether it still needs to be.
/// </para>
/// </remarks>
public sealed class ProbeHints
{
    /// <summary>
    /// A process probing an unbounded number of principals or KDCs starts afresh at this size; a monitor or a script
    /// probes a handful.
    /// </summary>
    internal const int Capacity = 1024;

    /// <summary>Long enough that a 200 ms monitor pays the UDP attempt once in 3,000 rounds; short enough to notice a changed limit.</summary>
    internal static readonly TimeSpan TcpMemory = TimeSpan.FromMinutes(10);

    private readonly CappedCache<string, ETypeInfo2Entry> _preAuthentication = new(Capacity, StringComparer.Ordinal);
    private readonly CappedCache<string, long> _tcpUntil = new(Capacity, StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;

    public ProbeHints()
        : this(TimeProvider.System)
    {
    }

    internal ProbeHints(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>
    /// Shared by every probe in the process: Test-KdcHealth builds a new probe per call, and its second call should
    /// already take one round trip.
    /// </summary>
    public static ProbeHints Shared { get; } = new();

    internal ETypeInfo2Entry? Find(string clientPrincipal) =>
        _preAuthentication.TryGet(clientPrincipal, out var hint) ? hint : null;

    internal void Remember(string clientPrincipal, ETypeInfo2Entry accepted) => _preAuthentication.Set(clientPrincipal, accepted);

    internal void Forget(string clientPrincipal) => _preAuthentication.Remove(clientPrincipal);

    internal bool NeedsTcp(string kdc) => _tcpUntil.TryGet(kdc, out var until) && _time.GetTimestamp() < until;

    internal void RememberTcp(string kdc) =>
        _tcpUntil.Set(kdc, _time.GetTimestamp() + (long)(TcpMemory.TotalSeconds * _time.TimestampFrequency));
}
