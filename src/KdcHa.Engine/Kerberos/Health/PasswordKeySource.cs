using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using KdcHa.Common;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// Keys derived from a password with the salt the KDC announces. Derived keys are cached per salt and parameters,
/// because string-to-key runs thousands of PBKDF2 iterations and a monitor probes every few hundred milliseconds.
/// </summary>
public sealed class PasswordKeySource : IClientKeySource
{
    /// <summary>
    /// The most string-to-key iterations a KDC may ask for. The parameters arrive unauthenticated, and "00000000"
    /// means 2^32 iterations for AES: without a cap a hostile or broken KDC could pin a core for hours.
    /// MIT and AD use 4096 (AES-SHA1) and 32768 (AES-SHA2).
    /// </summary>
    public const uint MaximumIterations = 1 << 20;

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

        if (stringToKeyParameters is { Length: 4 } && encryption.Type != EncryptionType.Rc4Hmac)
        {
            var iterations = (uint)(stringToKeyParameters[0] << 24 | stringToKeyParameters[1] << 16 | stringToKeyParameters[2] << 8 | stringToKeyParameters[3]);
            if (iterations == 0 || iterations > MaximumIterations)
            {
                throw new KerberosProtocolException(
                    $"The KDC asked for {(iterations == 0 ? "2^32" : iterations.ToString(System.Globalization.CultureInfo.InvariantCulture))} string-to-key iterations; more than {MaximumIterations} are refused.");
            }
        }

        var cacheKey = $"{encryptionType}|{salt}|{(stringToKeyParameters is null ? "-" : BitConverter.ToString(stringToKeyParameters))}";
        return _derivedKeys.GetOrAdd(cacheKey, _ => new ClientKey(encryptionType, encryption.StringToKey(SecureStrings.Reveal(_password), salt, stringToKeyParameters), null));
    }
}
