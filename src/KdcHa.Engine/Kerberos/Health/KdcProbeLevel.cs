namespace KdcHa.Kerberos.Health;

public enum KdcProbeLevel
{
    /// <summary>An AS-REQ without pre-authentication: any well-formed answer proves the KDC process serves its database.</summary>
    Reachable,

    /// <summary>The full kinit equivalent: PA-ENC-TIMESTAMP, then decrypting the AS-REP proves the KDC holds the right keys.</summary>
    Authenticated,
}
