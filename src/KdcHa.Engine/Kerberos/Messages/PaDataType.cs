namespace KdcHa.Kerberos.Messages;

/// <summary>PA-DATA type numbers (RFC 4120 §7.5.2, RFC 6113 §7.1).</summary>
public static class PaDataType
{
    public const int EncTimestamp = 2;
    public const int PwSalt = 3;
    public const int ETypeInfo = 11;
    public const int ETypeInfo2 = 19;
    public const int PacRequest = 128;
    public const int FxCookie = 133;
    public const int FxFast = 136;
    public const int FxError = 137;
    public const int EncryptedChallenge = 138;
}
