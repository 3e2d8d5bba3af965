using System;
using KdcHa.Kerberos.Discovery;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// The outcome of probing one KDC. Enumerations are exposed as their names and durations as numbers so the object
/// serialises cleanly with ConvertTo-Json for Ansible and scripts.
/// </summary>
public sealed class KdcHealthResult
{
    public string Kdc { get; init; } = string.Empty;

    /// <summary>Where the KDC's address came from: Parameter, Krb5Conf or DnsSrv (see <see cref="Discovery.KdcSource"/>).</summary>
    public string KdcSource { get; init; } = nameof(Discovery.KdcSource.Parameter);

    public string? Address { get; init; }

    public string Transport { get; init; } = string.Empty;

    public string Realm { get; init; } = string.Empty;

    public string Principal { get; init; } = string.Empty;

    public string Level { get; init; } = string.Empty;

    /// <summary>
    /// The verdict the engine decides on (the monitor's hysteresis reads it); <see cref="Status"/> and
    /// <see cref="IsHealthy"/> show it by name for the pipeline and JSON. A result nobody classified is a failure.
    /// </summary>
    internal KdcHealthStatus Verdict { get; init; } = KdcHealthStatus.ProtocolError;

    public string Status => Verdict.ToString();

    public bool IsHealthy => Verdict == KdcHealthStatus.Healthy;

    public double RoundTripMilliseconds { get; init; }

    public int? ErrorCode { get; init; }

    public string? ErrorName { get; init; }

    public string? EncryptionType { get; init; }

    public uint? KeyVersion { get; init; }

    public DateTime? ServerTime { get; init; }

    /// <summary>KDC clock minus local clock, when the reply carried the KDC's time.</summary>
    public double? ClockSkewSeconds { get; init; }

    /// <summary>
    /// UDP datagrams from the KDC's address that did not answer the probe (garbled, for another request, forged) and
    /// were waited past. Any is worth a look: a real KDC sends none, unless a resend crossed its first answer.
    /// </summary>
    public int JunkReplies { get; init; }

    public string Message { get; init; } = string.Empty;

    public DateTime Timestamp { get; init; }
}

/// <summary>What one probe of one KDC found. Only <see cref="Healthy"/> counts as up.</summary>
public enum KdcHealthStatus
{
    Healthy,
    Timeout,
    Refused,
    Unreachable,
    KdcError,
    PrincipalUnknown,
    KeyMismatch,
    ClockSkew,
    ProtocolError,

    /// <summary>
    /// The KDC answers but cannot read its database (MIT: KDC_ERR_SVC_UNAVAILABLE for a locked db2 file, or any error
    /// with e-text LOOKING_UP_CLIENT/LOOKING_UP_SERVER, which an LDAP back end whose directory is down gives). Every
    /// KDC on the same directory fails alike, so the fault is the directory's, not this KDC's.
    /// </summary>
    DatabaseUnavailable,
}

public enum KdcProbeLevel
{
    /// <summary>An AS-REQ without pre-authentication: any well-formed answer proves the KDC process serves its database.</summary>
    Reachable,

    /// <summary>The full kinit equivalent: PA-ENC-TIMESTAMP, then decrypting the AS-REP proves the KDC holds the right keys.</summary>
    Authenticated,
}
