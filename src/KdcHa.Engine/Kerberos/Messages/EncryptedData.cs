using System;
using System.Formats.Asn1;

namespace KdcHa.Kerberos.Messages;

/// <summary>RFC 4120 §5.2.9 EncryptedData: ciphertext with the etype and, optionally, the key version used.</summary>
public sealed class EncryptedData
{
    public EncryptedData()
    {
    }

    public EncryptedData(int encryptionType, uint? keyVersion, byte[] cipher)
    {
        EncryptionType = encryptionType;
        KeyVersion = keyVersion;
        Cipher = cipher ?? throw new ArgumentNullException(nameof(cipher));
    }

    public int EncryptionType { get; init; }

    public uint? KeyVersion { get; init; }

    public byte[] Cipher { get; init; } = Array.Empty<byte>();

    public byte[] Encode()
    {
        var writer = KerberosAsnWriter.CreateWriter();
        WriteTo(writer);
        return writer.Encode();
    }

    public static EncryptedData Decode(ReadOnlyMemory<byte> encoded) =>
        KerberosAsnReader.Decode(encoded, "EncryptedData", ReadFrom);

    internal void WriteTo(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteExplicitInteger(0, EncryptionType);
            if (KeyVersion is { } keyVersion)
            {
                writer.WriteExplicitInteger(1, keyVersion);
            }

            writer.WriteExplicitOctetString(2, Cipher);
        }
    }

    internal static EncryptedData ReadFrom(AsnReader reader)
    {
        int? encryptionType = null;
        uint? keyVersion = null;
        byte[]? cipher = null;
        reader.ReadSequence().ReadFields((tag, field) =>
        {
            switch (tag)
            {
                case 0:
                    encryptionType = field.ReadInt32Value();
                    return true;
                case 1:
                    keyVersion = field.ReadUInt32Value();
                    return true;
                case 2:
                    cipher = field.ReadOctetString();
                    return true;
                default:
                    return false;
            }
        });

        return new EncryptedData(
            KerberosAsnReader.RequiredValue(encryptionType, "etype"),
            keyVersion,
            KerberosAsnReader.Required(cipher, "cipher"));
    }
}
