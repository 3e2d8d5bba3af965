using System;
using System.Collections.Generic;
using KdcHa.Common;

namespace KdcHa.Kerberos;

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
