using System;
using System.Collections.Concurrent;
using System.Collections.Generic;

namespace KdcHa.Common;

/// <summary>
/// A concurrent cache that a long-running process fills from unbounded input (new passwords, rekeyed keytabs, new
/// principals): at its capacity it starts afresh instead of growing, which costs recomputing a few entries, never
/// memory.
/// </summary>
internal sealed class CappedCache<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries;

    public CappedCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A cache holds at least one entry.");
        }

        Capacity = capacity;
        _entries = new ConcurrentDictionary<TKey, TValue>(comparer ?? EqualityComparer<TKey>.Default);
    }

    public int Capacity { get; }

    public int Count => _entries.Count;

    public bool TryGet(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);

    public void Set(TKey key, TValue value)
    {
        // Count takes every lock of the dictionary: only a new key can push the cache over its capacity.
        if (!_entries.ContainsKey(key) && _entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[key] = value;
    }

    public void Remove(TKey key) => _entries.TryRemove(key, out _);
}
