using System;

namespace KdcHa.Kerberos.Crypto;

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
        _usage == other._usage && _kind == other._kind && ByteArrays.FixedTimeEquals(_baseKey, other._baseKey);

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
