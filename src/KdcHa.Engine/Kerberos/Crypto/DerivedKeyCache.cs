using System;
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
