namespace KdcHa.Kerberos.Health;

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
}
