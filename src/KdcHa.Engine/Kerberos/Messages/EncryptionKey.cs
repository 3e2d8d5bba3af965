using System;
using System.Formats.Asn1;

namespace KdcHa.Kerberos.Messages;

/// <summary>RFC 4120 §5.2.9 EncryptionKey: the session key the KDC returns inside the encrypted reply part.</summary>
public sealed class EncryptionKey
{
    public EncryptionKey()
    {
    }

    public EncryptionKey(int keyType, byte[] keyValue)
    {
        KeyType = keyType;
        KeyValue = keyValue ?? throw new ArgumentNullException(nameof(keyValue));
    }

    public int KeyType { get; init; }

    public byte[] KeyValue { get; init; } = Array.Empty<byte>();

    internal static EncryptionKey ReadFrom(AsnReader reader)
    {
        int? keyType = null;
        byte[]? keyValue = null;
        reader.ReadSequence().ReadFields((tag, field) =>
        {
            switch (tag)
            {
                case 0:
                    keyType = field.ReadInt32Value();
                    return true;
                case 1:
                    keyValue = field.ReadOctetString();
                    return true;
                default:
                    return false;
            }
        });

        return new EncryptionKey(KerberosAsnReader.RequiredValue(keyType, "keytype"), KerberosAsnReader.Required(keyValue, "keyvalue"));
    }
}
