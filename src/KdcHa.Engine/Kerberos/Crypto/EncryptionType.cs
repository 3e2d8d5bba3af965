namespace KdcHa.Kerberos.Crypto;

/// <summary>Kerberos encryption types (etypes) the engine implements, with their IANA numbers.</summary>
public enum EncryptionType
{
    Aes128CtsHmacSha196 = 17,
    Aes256CtsHmacSha196 = 18,
    Aes128CtsHmacSha256128 = 19,
    Aes256CtsHmacSha384192 = 20,
    Rc4Hmac = 23,
}
