using System;
using System.Collections.Generic;
using System.Formats.Asn1;

namespace KdcHa.Kerberos.Messages;

/// <summary>
/// RFC 4120 §5.4.1 AS-REQ for a TGT (server name krbtgt/REALM, no addresses). Nonce is a UInt32 on the wire,
/// but MIT 1.20 silently drops requests with a nonce ≥ 2^31, so callers should draw 31-bit nonces.
/// </summary>
public sealed class AsRequest
{
    private const int MessageType = 10;

    /// <summary>KDC option bit 27 (RFC 4120 §5.4.1), in the 32-bit big-endian numbering used by <see cref="KdcOptions"/>.</summary>
    public const uint RenewableOk = 0x00000010;

    public PrincipalName Client { get; init; } = null!;

    public string Realm { get; init; } = null!;

    public uint Nonce { get; init; }

    /// <summary>In preference order; the KDC uses the first one the principal has a key for.</summary>
    public IReadOnlyList<int> EncryptionTypes { get; init; } = Array.Empty<int>();

    /// <summary>Omitted from the encoding when empty (RFC 4120 §5.1.3).</summary>
    public IReadOnlyList<PaData> PreAuthentication { get; init; } = Array.Empty<PaData>();

    /// <summary>Requested ticket end time; 1970-01-01T00:00:00Z asks for the KDC maximum.</summary>
    public DateTime Till { get; init; }

    public uint KdcOptions { get; init; }

    public byte[] Encode()
    {
        if (Client is null || string.IsNullOrEmpty(Realm))
        {
            throw new InvalidOperationException("An AS-REQ needs a client and a realm.");
        }

        if (EncryptionTypes is null || EncryptionTypes.Count == 0)
        {
            throw new InvalidOperationException("An AS-REQ needs at least one encryption type.");
        }

        var writer = KerberosAsnWriter.CreateWriter();
        using (writer.PushApplication(ApplicationTag.AsRequest))
        using (writer.PushSequence())
        {
            writer.WriteExplicitInteger(1, ApplicationTag.ProtocolVersion);
            writer.WriteExplicitInteger(2, MessageType);
            if (PreAuthentication is { Count: > 0 })
            {
                using (writer.PushExplicit(3))
                {
                    PaData.WriteSequenceOf(writer, PreAuthentication);
                }
            }

            using (writer.PushExplicit(4))
            {
                WriteBody(writer);
            }
        }

        return writer.Encode();
    }

    private void WriteBody(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteExplicitKerberosFlags(0, KdcOptions);
            using (writer.PushExplicit(1))
            {
                Client.WriteTo(writer);
            }

            writer.WriteExplicitKerberosString(2, Realm);
            using (writer.PushExplicit(3))
            {
                PrincipalName.TicketGrantingServiceName(Realm).WriteTo(writer);
            }

            writer.WriteExplicitKerberosTime(5, Till);
            writer.WriteExplicitInteger(7, Nonce);
            using (writer.PushExplicit(8))
            using (writer.PushSequence())
            {
                foreach (var encryptionType in EncryptionTypes)
                {
                    writer.WriteInteger(encryptionType);
                }
            }
        }
    }
}
