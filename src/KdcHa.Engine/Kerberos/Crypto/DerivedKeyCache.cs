using System;
using System.Security.Cryptography;
using KdcHa.Common;

namespace KdcHa.Kerberos.Crypto;

/// <summary>
/// Per-usage keys (Ke, Ki, Kc) already derived from a base key. A health probe encrypts and decrypts with the same
/// long-term key every few hundred milliseconds, and each derivation costs an n-fold and one or two AES or HMAC
/// operations, about a third of a probe's cryptography. Safe for concurrent probes; the returned arrays are shared
/// and must never be written to.
/// </summary>
internal sealed class DerivedKeyCache
{
    /// <summary>
    /// A long-running process may see an unbounded number of base keys (a new password, a rekeyed keytab), so the
    /// cache starts afresh when it reaches this size; a probe uses a handful of entries per long-term key.
    /// </summary>
    internal const int Capacity = 64;

    private readonly CappedCache<DerivedKeyId, byte[]> _keys = new(Capacity);
    private readonly Func<byte[], int, UsageKeyKind, byte[]> _derive;

    public DerivedKeyCache(Func<byte[], int, UsageKeyKind, byte[]> derive)
    {
        _derive = derive ?? throw new ArgumentNullException(nameof(derive));
    }

    internal int Count => _keys.Count;

    public byte[] GetOrDerive(byte[] baseKey, int usage, UsageKeyKind kind)
    {
        var lookup = new DerivedKeyId(baseKey, usage, kind);
        if (_keys.TryGet(lookup, out var known))
        {
            return known;
        }

        var derived = _derive(baseKey, usage, kind);

        // The stored identity owns a copy: the caller may reuse or wipe its base key array afterwards.
        _keys.Set(lookup.WithOwnCopy(), derived);
        return derived;
    }
}

/// <summary>Identifies one derived key by the content of its base key, its usage number and its kind.</summary>
internal readonly struct DerivedKeyId : IEquatable<DerivedKeyId>
{
    private readonly byte[] _baseKey;
    private readonly int _usage;
    private readonly UsageKeyKind _kind;
    private readonly int _hashCode;

    public DerivedKeyId(byte[] baseKey, int usage, UsageKeyKind kind)
        : this(baseKey, usage, kind, HashOf(baseKey, usage, kind))
    {
    }

    private DerivedKeyId(byte[] baseKey, int usage, UsageKeyKind kind, int hashCode)
    {
        _baseKey = baseKey;
        _usage = usage;
        _kind = kind;
        _hashCode = hashCode;
    }

    public DerivedKeyId WithOwnCopy() => new((byte[])_baseKey.Clone(), _usage, _kind, _hashCode);

    // Fixed-time: the comparison runs against secret key bytes.
    public bool Equals(DerivedKeyId other) =>
        _usage == other._usage && _kind == other._kind && CryptographicOperations.FixedTimeEquals(_baseKey, other._baseKey);

    public override bool Equals(object? obj) => obj is DerivedKeyId other && Equals(other);

    public override int GetHashCode() => _hashCode;

    // FNV-1a: the dictionary only needs spread, and the key bytes are already uniformly random.
    private static int HashOf(byte[] baseKey, int usage, UsageKeyKind kind)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var value in baseKey)
            {
                hash = (hash ^ value) * 16777619;
            }

            hash = (hash ^ usage) * 16777619;
            return (hash ^ (int)kind) * 16777619;
        }
    }
}
