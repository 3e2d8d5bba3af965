using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Threading.Tasks;
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
    /// means 2^32 iterations for AES: without a cap a hostile or broken KDC could pin a core for hours. MIT,
    /// Heimdal and AD send the defaults, 4096 (AES-SHA1) and 32768 (AES-SHA2); the cap is twice the larger.
    /// </summary>
    public const uint MaximumIterations = 1 << 16;

    /// <summary>
    /// Salts arrive unauthenticated too: a KDC announcing a new one per reply must cost a derivation each time,
    /// never memory.
    /// </summary>
    internal const int CacheCapacity = 16;

    private static readonly Task<ClientKey?> NoKey = Task.FromResult<ClientKey?>(null);

    private readonly SecureString _password;
    private readonly CappedCache<string, Task<ClientKey?>> _derivedKeys = new(CacheCapacity, StringComparer.Ordinal);

    public PasswordKeySource(SecureString password)
    {
        _password = password ?? throw new ArgumentNullException(nameof(password));
        _password.MakeReadOnly();
        EncryptionTypes = KerberosEncryption.PreferenceOrder.Select(type => (int)type).ToArray();
    }

    public IReadOnlyList<int> EncryptionTypes { get; }

    /// <summary>
    /// A cached key, or a derivation started on the thread pool: a probe whose deadline passes first reports Timeout,
    /// and the derivation goes on to fill the cache for the next probe.
    /// </summary>
    public Task<ClientKey?> GetKeyAsync(int encryptionType, string salt, byte[]? stringToKeyParameters)
    {
        if (!KerberosEncryption.TryGet(encryptionType, out var encryption) || encryption is null)
        {
            return NoKey;
        }

        if (encryption.Type != EncryptionType.Rc4Hmac && stringToKeyParameters is not null)
        {
            CheckIterationCount(encryption, stringToKeyParameters);
        }

        var cacheKey = $"{encryptionType}|{salt}|{(stringToKeyParameters is null ? "-" : BitConverter.ToString(stringToKeyParameters))}";
        if (_derivedKeys.TryGet(cacheKey, out var known))
        {
            return known;
        }

        var derivation = Task.Run(() => (ClientKey?)new ClientKey(encryptionType, encryption.StringToKey(SecureStrings.Reveal(_password), salt, stringToKeyParameters), null));
        _derivedKeys.Set(cacheKey, derivation);
        return derivation;
    }

    /// <summary>RFC 3962 §4 and RFC 8009 §4: AES s2kparams are a 4-byte big-endian iteration count, 0 meaning 2^32.</summary>
    private static void CheckIterationCount(KerberosEncryption encryption, byte[] parameters)
    {
        if (parameters.Length != 4)
        {
            throw new KerberosProtocolException(
                $"The KDC's ETYPE-INFO2 s2kparams for {encryption.Name} are {parameters.Length} bytes; RFC 3962 and RFC 8009 define a 4-byte iteration count.");
        }

        var iterations = (uint)(parameters[0] << 24 | parameters[1] << 16 | parameters[2] << 8 | parameters[3]);
        if (iterations == 0 || iterations > MaximumIterations)
        {
            throw new KerberosProtocolException(
                $"The KDC asked for {(iterations == 0 ? "2^32" : iterations.ToString(CultureInfo.InvariantCulture))} string-to-key iterations; more than {MaximumIterations} are refused.");
        }
    }
}
