using System;
using KdcHa.Common;

namespace KdcHa.Tests.Common;

public sealed class CappedCacheTests
{
    [Fact]
    public void A_new_key_at_capacity_starts_the_cache_afresh()
    {
        var cache = new CappedCache<int, string>(3);
        cache.Set(1, "one");
        cache.Set(2, "two");
        cache.Set(3, "three");

        cache.Set(4, "four");

        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGet(4, out var four));
        Assert.Equal("four", four);
        Assert.False(cache.TryGet(1, out _));
    }

    [Fact]
    public void Replacing_a_known_key_at_capacity_keeps_the_others()
    {
        var cache = new CappedCache<string, int>(2, StringComparer.OrdinalIgnoreCase);
        cache.Set("a", 1);
        cache.Set("b", 2);

        cache.Set("A", 10);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet("a", out var a));
        Assert.Equal(10, a);
        Assert.True(cache.TryGet("b", out _));
    }

    [Fact]
    public void A_removed_key_is_gone()
    {
        var cache = new CappedCache<int, int>(4);
        cache.Set(1, 1);

        cache.Remove(1);

        Assert.False(cache.TryGet(1, out _));
    }

    [Fact]
    public void A_cache_without_room_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CappedCache<int, int>(0));
    }
}
