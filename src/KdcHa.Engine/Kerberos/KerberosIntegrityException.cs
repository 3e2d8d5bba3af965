using KdcHa.Common;

namespace KdcHa.Kerberos;

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
