using System;
using System.Linq;
using KdcHa.Kerberos.Crypto;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// Which UDP datagram answers a probe's AS-REQ (RFC 4120 §3.1.3, §5.9.1): a KRB-ERROR about our request's server and
/// realm, or an AS-REP for our client, and, once the probe holds the key, one that decrypts to our nonce. Anything
/// else is junk the transport counts and waits past, so a forged or stray datagram cannot decide a probe.
/// </summary>
/// <remarks>
/// Names and realms compare without case: Active Directory answers in its own case, and a realm that differs only
/// in case is no defence against a forger, who can read both from the request. Only the nonce is a secret check,
/// and only for AS-REPs: a KRB-ERROR carries nothing a forger could not copy.
/// </remarks>
internal static class ProbeAnswer
{
    /// <summary>RFC 4120 §7.5.1 key usage 3: the AS-REP's enc-part, under the client's key.</summary>
    public const int AsReplyEncryptedPartUsage = 3;

    /// <summary>The check for the AS-REQ just built for <paramref name="request"/> with <paramref name="nonce"/>.</summary>
    /// <param name="request">The probe's client and realm, which the answer must name.</param>
    /// <param name="key">The key the reply must decrypt under, or null while the probe has not chosen one.</param>
    /// <param name="nonce">The nonce sent; an AS-REP that decrypts must carry it.</param>
    public static KdcReplyCheck For(KdcProbeRequest request, ClientKey? key, uint nonce) =>
        datagram => WhyNotTheAnswer(request, key, nonce, datagram);

    private static string? WhyNotTheAnswer(KdcProbeRequest request, ClientKey? key, uint nonce, byte[] datagram)
    {
        KerberosReply reply;
        try
        {
            reply = KerberosReply.Decode(datagram);
        }
        catch (KerberosProtocolException malformed)
        {
            return $"not a Kerberos reply ({malformed.Message})";
        }

        return reply switch
        {
            KrbError error => WhyNotOurs(error, request),
            AsReply ticket => WhyNotOurs(ticket, request, key, nonce),
            _ => "neither an AS-REP nor a KRB-ERROR",
        };
    }

    private static string? WhyNotOurs(KrbError error, KdcProbeRequest request)
    {
        var server = error.ServerName;
        var ours = string.Equals(error.Realm, request.Realm, StringComparison.OrdinalIgnoreCase)
            && (server is null || IsTicketGrantingService(server, request.Realm));
        return ours ? null : $"a KRB-ERROR about {server}@{error.Realm}, not krbtgt/{request.Realm}@{request.Realm}";
    }

    private static string? WhyNotOurs(AsReply ticket, KdcProbeRequest request, ClientKey? key, uint nonce)
    {
        if (!string.Equals(ticket.ClientRealm, request.Realm, StringComparison.OrdinalIgnoreCase) || !SameName(ticket.ClientName, request.Client))
        {
            return $"an AS-REP for {ticket.ClientName}@{ticket.ClientRealm}, not {request.ClientPrincipal}";
        }

        if (key is null)
        {
            return null;
        }

        // With pre-authentication accepted the KDC holds our key, so a reply it does not decrypt under is not its.
        var encrypted = ticket.EncryptedPart;
        if (encrypted.EncryptionType != key.EncryptionType || !KerberosEncryption.TryGet(encrypted.EncryptionType, out var encryption) || encryption is null)
        {
            return $"an AS-REP in encryption type {encrypted.EncryptionType}, not the {key.EncryptionType} of the probe's key";
        }

        uint replyNonce;
        try
        {
            replyNonce = EncKdcReplyPart.Decode(encryption.Decrypt(key.Key, AsReplyEncryptedPartUsage, encrypted.Cipher)).Nonce;
        }
        catch (Exception unreadable) when (unreadable is KerberosIntegrityException or KerberosProtocolException)
        {
            return $"an AS-REP whose enc-part does not decrypt under the probe's key ({unreadable.Message})";
        }

        return replyNonce == nonce ? null : $"an AS-REP for nonce {replyNonce}, not this request's {nonce}";
    }

    private static bool IsTicketGrantingService(PrincipalName server, string realm) =>
        server.Components.Count == 2
        && string.Equals(server.Components[0], "krbtgt", StringComparison.OrdinalIgnoreCase)
        && string.Equals(server.Components[1], realm, StringComparison.OrdinalIgnoreCase);

    private static bool SameName(PrincipalName replied, PrincipalName requested) =>
        replied.Components.SequenceEqual(requested.Components, StringComparer.OrdinalIgnoreCase);
}
