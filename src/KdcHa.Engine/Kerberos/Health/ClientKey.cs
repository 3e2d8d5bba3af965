namespace KdcHa.Kerberos.Health;

/// <summary>A long-term client key ready for one encryption type.</summary>
public sealed class ClientKey
{
    public ClientKey(int encryptionType, byte[] key, uint? keyVersion)
    {
        EncryptionType = encryptionType;
        Key = key;
        KeyVersion = keyVersion;
    }

    public int EncryptionType { get; }

    public byte[] Key { get; }

    public uint? KeyVersion { get; }
}
