using System;
using System.Collections.Generic;
using KdcHa.Common;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Kerberos;

/// <summary>
/// The peer sent bytes that are not a valid Kerberos message. Decoders throw only this for hostile input,
/// so a garbage reply is classified as a protocol error instead of crashing a probe.
/// </summary>
public sealed class KerberosProtocolException : KdcHaException
{
    public KerberosProtocolException(string message)
        : base(message)
    {
    }

    public KerberosProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Decryption failed its integrity check: the key used is not the key the peer encrypted with
/// (a wrong password or a stale keytab), or the ciphertext was tampered with.
/// </summary>
public sealed class KerberosIntegrityException : KdcHaException
{
    public KerberosIntegrityException(string message)
        : base(message)
    {
    }
}

/// <summary>The file is not a readable MIT keytab (bad version, truncated record, lengths past the end, too large).</summary>
public sealed class KeytabFormatException : KdcHaException
{
    public KeytabFormatException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// The only failure a transport reports for an exchange that could not complete, so callers classify a KDC
/// from <see cref="Failure"/> instead of catching socket, timeout and disposal exceptions themselves.
/// </summary>
public sealed class KdcTransportException : KdcHaException
{
    public KdcTransportException(string message, KdcTransportFailure failure, KdcTransportProtocol protocol)
        : base(message)
    {
        Failure = failure;
        Protocol = protocol;
    }

    public KdcTransportException(string message, KdcTransportFailure failure, KdcTransportProtocol protocol, Exception innerException)
        : base(message, innerException)
    {
        Failure = failure;
        Protocol = protocol;
    }

    public KdcTransportFailure Failure { get; }

    public KdcTransportProtocol Protocol { get; }

    /// <summary>UDP datagrams that came back but did not answer the request; see <see cref="KdcExchange.JunkReplies"/>.</summary>
    public int JunkReplies { get; internal set; }
}

/// <summary>The keytab file (or a folder on its path) does not exist.</summary>
public sealed class KeytabNotFoundException : KdcHaException
{
    public KeytabNotFoundException(string path, Exception innerException)
        : base($"The keytab {path} does not exist.", innerException)
    {
        Path = path;
    }

    public string Path { get; }
}

/// <summary>The keytab exists but cannot be read: no permission, or an I/O error.</summary>
public sealed class KeytabUnreadableException : KdcHaException
{
    public KeytabUnreadableException(string path, Exception innerException)
        : base($"The keytab {path} cannot be read: {innerException.Message}", innerException)
    {
        Path = path;
    }

    public string Path { get; }
}

/// <summary>The keytab holds no key of a supported encryption type for the principal a probe authenticates as.</summary>
public sealed class PrincipalNotInKeytabException : KdcHaException
{
    public PrincipalNotInKeytabException(string keytab, string principal, IReadOnlyList<string> keytabPrincipals)
        : base($"The keytab {keytab} holds no usable key for {principal}. It holds: {string.Join(", ", keytabPrincipals)}.")
    {
        Principal = principal;
    }

    public string Principal { get; }
}

/// <summary>A probe names no realm, and its principal (if any) carries none.</summary>
public sealed class RealmRequiredException : KdcHaException
{
    public RealmRequiredException(string kdc)
        : base($"No realm for {kdc}: give a realm, or a principal of the form name@REALM.")
    {
        Kdc = kdc;
    }

    public string Kdc { get; }
}

/// <summary>Without a KDC named, discovery found none for the realm: krb5.conf lists none, and DNS gave none.</summary>
public sealed class KdcNotFoundException : KdcHaException
{
    public KdcNotFoundException(string realm, string reason)
        : base($"No KDC found for {realm}: {reason}.")
    {
        Realm = realm;
    }

    public string Realm { get; }
}
