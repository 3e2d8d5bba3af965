using System;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// The outcome of probing one KDC. Enumerations are exposed as their names and durations as numbers so the object
/// serialises cleanly with ConvertTo-Json for Ansible and scripts.
/// </summary>
public sealed class KdcHealthResult
{
    public string Kdc { get; init; } = string.Empty;

    public string? Address { get; init; }

    public string Transport { get; init; } = string.Empty;

    public string Realm { get; init; } = string.Empty;

    public string Principal { get; init; } = string.Empty;

    public string Level { get; init; } = string.Empty;

    public string Status { get; init; } = string.Empty;

    public bool IsHealthy { get; init; }

    public double RoundTripMilliseconds { get; init; }

    public int? ErrorCode { get; init; }

    public string? ErrorName { get; init; }

    public string? EncryptionType { get; init; }

    public uint? KeyVersion { get; init; }

    public DateTime? ServerTime { get; init; }

    /// <summary>KDC clock minus local clock, when the reply carried the KDC's time.</summary>
    public double? ClockSkewSeconds { get; init; }

    public string Message { get; init; } = string.Empty;

    public DateTime Timestamp { get; init; }
}
