namespace KdcHa.Kerberos.Messages;

/// <summary>
/// KRB-ERROR codes (RFC 4120 §7.5.9, 90–93 from RFC 6113) an AS exchange can produce. Codes not listed are still
/// carried as their numeric value; see <see cref="KrbError.RawErrorCode"/>.
/// </summary>
public enum KerberosErrorCode
{
    None = 0,
    NameExpired = 1,
    ServiceExpired = 2,
    BadProtocolVersion = 3,
    ClientPrincipalUnknown = 6,
    ServerPrincipalUnknown = 7,
    PrincipalNotUnique = 8,
    NullKey = 9,
    Policy = 12,
    BadOption = 13,
    EncryptionTypeNotSupported = 14,
    PaDataTypeNotSupported = 16,
    ClientRevoked = 18,
    ServiceRevoked = 19,
    ClientNotYetValid = 21,
    ServiceNotYetValid = 22,
    KeyExpired = 23,
    PreAuthenticationFailed = 24,
    PreAuthenticationRequired = 25,
    ServiceUnavailable = 29,
    BadIntegrity = 31,
    ClockSkew = 37,
    ResponseTooBig = 52,
    Generic = 60,
    FieldTooLong = 61,
    WrongRealm = 68,
    PreAuthExpired = 90,
    MorePreAuthDataRequired = 91,
    PreAuthBadAuthenticationSet = 92,
    UnknownCriticalFastOptions = 93,
}
