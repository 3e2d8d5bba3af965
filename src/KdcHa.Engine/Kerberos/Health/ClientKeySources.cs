using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Kerberos.Crypto;
using KeytabFile = KdcHa.Kerberos.Keytab.Keytab;

namespace KdcHa.Kerberos.Health;

/// <summary>Where the client's long-term key comes from: a keytab or a password.</summary>
public interface IClientKeySource
{
    /// <summary>
    /// The encryption types this source can produce a key for, in preference order. The AS-REQ lists exactly these,
    /// because the KDC answers with the first listed type the principal has a key for.
    /// </summary>
    IReadOnlyList<int> EncryptionTypes { get; }

    /// <summary>
    /// The key for one encryption type, derived with the salt and parameters the KDC announced. A key that must be
    /// computed completes later, off the caller's thread, so that the probe's deadline can end the wait.
    /// </summary>
    /// <exception cref="KerberosProtocolException">The KDC's parameters are malformed or beyond what any KDC sends.</exception>
    Task<ClientKey?> GetKeyAsync(int encryptionType, string salt, byte[]? stringToKeyParameters);
}

/// <summary>A long-term client key ready for one encryption type.</summary>
public sealed class ClientKey
{
    public ClientKey(int encryptionType, byte[] key, uint? keyVersion)
    {
        EncryptionType = encryptionType;
        Key = key;
        KeyVersion = keyVersion;
    }

    public int EncryptionType { get; }

    public byte[] Key { get; }

    public uint? KeyVersion { get; }
}

/// <summary>
/// Keys of one principal from an MIT keytab. Only the newest key version is offered: older ones can no longer
/// match the KDC, and offering their encryption types would make the KDC pick a key we cannot prove.
/// </summary>
public sealed class KeytabKeySource : IClientKeySource
{
    private readonly KeytabFile _keytab;
    private readonly string _principal;

    public KeytabKeySource(KeytabFile keytab, string principal)
    {
        _keytab = keytab ?? throw new ArgumentNullException(nameof(keytab));
        _principal = principal ?? throw new ArgumentNullException(nameof(principal));
        var supported = KerberosEncryption.PreferenceOrder.Select(type => (int)type).ToArray();
        var newestVersion = keytab.FindKey(principal, supported)?.KeyVersion;
        EncryptionTypes = supported
            .Where(type => newestVersion is not null && keytab.FindKey(principal, new[] { type })?.KeyVersion == newestVersion)
            .ToArray();
    }

    public IReadOnlyList<int> EncryptionTypes { get; }

    public Task<ClientKey?> GetKeyAsync(int encryptionType, string salt, byte[]? stringToKeyParameters)
    {
        var entry = EncryptionTypes.Contains(encryptionType) ? _keytab.FindKey(_principal, new[] { encryptionType }) : null;
        return Task.FromResult(entry is null ? null : new ClientKey(entry.EncryptionType, entry.Key, entry.KeyVersion));
    }
}

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

        var iterations = BinaryPrimitives.ReadUInt32BigEndian(parameters);
        if (iterations == 0 || iterations > MaximumIterations)
        {
            throw new KerberosProtocolException(
                $"The KDC asked for {(iterations == 0 ? "2^32" : iterations.ToString(CultureInfo.InvariantCulture))} string-to-key iterations; more than {MaximumIterations} are refused.");
        }
    }
}
