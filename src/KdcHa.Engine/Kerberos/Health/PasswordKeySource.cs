using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// Keys derived from a password with the salt the KDC announces. Derived keys are cached per salt and parameters,
/// because string-to-key runs thousands of PBKDF2 iterations and a monitor probes every few hundred milliseconds.
/// </summary>
public sealed class PasswordKeySource : IClientKeySource
{
    private readonly SecureString _password;
    private readonly ConcurrentDictionary<string, ClientKey> _derivedKeys = new(StringComparer.Ordinal);

    public PasswordKeySource(SecureString password)
    {
        _password = password ?? throw new ArgumentNullException(nameof(password));
        _password.MakeReadOnly();
        EncryptionTypes = KerberosEncryption.PreferenceOrder.Select(type => (int)type).ToArray();
    }

    public IReadOnlyList<int> EncryptionTypes { get; }

    public ClientKey? GetKey(int encryptionType, string salt, byte[]? stringToKeyParameters)
    {
        if (!KerberosEncryption.TryGet(encryptionType, out var encryption) || encryption is null)
        {
            return null;
        }

        var cacheKey = $"{encryptionType}|{salt}|{(stringToKeyParameters is null ? "-" : BitConverter.ToString(stringToKeyParameters))}";
        return _derivedKeys.GetOrAdd(cacheKey, _ => new ClientKey(encryptionType, encryption.StringToKey(RevealPassword(), salt, stringToKeyParameters), null));
    }

    private string RevealPassword()
    {
        var buffer = Marshal.SecureStringToGlobalAllocUnicode(_password);
        try
        {
            return Marshal.PtrToStringUni(buffer, _password.Length);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(buffer);
        }
    }
}
