namespace KdcHa.Kerberos.Crypto;

/// <summary>The byte appended to the key usage number to derive each per-usage key (RFC 3961 §5.3).</summary>
internal enum UsageKeyKind : byte
{
    Checksum = 0x99,
    Encryption = 0xAA,
    Integrity = 0x55,
}
