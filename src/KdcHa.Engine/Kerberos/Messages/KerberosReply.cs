using System;

namespace KdcHa.Kerberos.Messages;

/// <summary>What a KDC can answer to an AS-REQ: an <see cref="AsReply"/> or a <see cref="KrbError"/>.</summary>
public abstract class KerberosReply
{
    private const byte AsReplyTag = 0x6B;
    private const byte KrbErrorTag = 0x7E;

    private protected KerberosReply()
    {
    }

    /// <summary>Classifies the reply by its first octet and decodes it; anything malformed is a <see cref="KerberosProtocolException"/>.</summary>
    public static KerberosReply Decode(ReadOnlyMemory<byte> reply)
    {
        if (reply.IsEmpty)
        {
            throw new KerberosProtocolException("Empty reply.");
        }

        return reply.Span[0] switch
        {
            AsReplyTag => KerberosAsnReader.Decode(reply, "AS-REP", AsReply.ReadFrom),
            KrbErrorTag => KerberosAsnReader.Decode(reply, "KRB-ERROR", KrbError.ReadFrom),
            var other => throw new KerberosProtocolException($"Reply starts with 0x{other:X2}, neither AS-REP (0x6B) nor KRB-ERROR (0x7E)."),
        };
    }
}
