using System;
using System.Runtime.InteropServices;
using System.Security;

namespace KdcHa.Common;

/// <summary>
/// The one place a SecureString becomes plain text, at the moment an algorithm (string-to-key, an HTTP header)
/// needs it; the unmanaged copy is zeroed at once.
/// </summary>
public static class SecureStrings
{
    public static string Reveal(SecureString secret)
    {
        if (secret is null)
        {
            throw new ArgumentNullException(nameof(secret));
        }

        var buffer = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            return Marshal.PtrToStringUni(buffer, secret.Length);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(buffer);
        }
    }
}
