using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

public class DerivedKeyCacheTests
{
    private const int Usage = 2;

    // MIT krb5 src/lib/crypto/crypto_tests/t_derive.c: Kc, Ke and Ki for usage 2 (RFC 3961 DK over AES).
    [Theory]
    [InlineData(EncryptionType.Aes128CtsHmacSha196, "42263c6e89f4fc28b8df68ee09799f15", "Checksum", "34280a382bc92769b2da2f9ef066854b")]
    [InlineData(EncryptionType.Aes128CtsHmacSha196, "42263c6e89f4fc28b8df68ee09799f15", "Encryption", "5b14fc4e250e14ddf9dccf1af6674f53")]
    [InlineData(EncryptionType.Aes128CtsHmacSha196, "42263c6e89f4fc28b8df68ee09799f15", "Integrity", "4ed31063621684f09ae8d89991af3e8f")]
    [InlineData(EncryptionType.Aes256CtsHmacSha196, "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161", "Checksum", "bfab388bdcb238e9f9c98d6a878304f04d30c82556375ac507a7a852790f4674")]
    [InlineData(EncryptionType.Aes256CtsHmacSha196, "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161", "Encryption", "c7cfd9cd75fe793a586a542d87e0d1396f1134a104bb1a9190b8c90ada3ddf37")]
    [InlineData(EncryptionType.Aes256CtsHmacSha196, "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161", "Integrity", "97151b4c76945063e2eb0529dc067d97d7bba90776d8126d91f34f3101aea8ba")]
    public void DeriveUsageKey_FirstAndCachedCall_MatchMitVector(EncryptionType type, string baseKeyHex, string kindName, string expectedHex)
    {
        var encryption = EncryptionTestData.Aes(type);
        var kind = Enum.Parse<UsageKeyKind>(kindName);

        var derived = encryption.DeriveUsageKey(Convert.FromHexString(baseKeyHex), Usage, kind);
        var cached = encryption.DeriveUsageKey(Convert.FromHexString(baseKeyHex), Usage, kind);

        Assert.Equal(expectedHex, Convert.ToHexStringLower(derived));
        Assert.Same(derived, cached);
    }

    [Fact]
    public void GetOrDerive_SameKeyUsageAndKind_DerivesOnce()
    {
        var derivations = 0;
        var cache = new DerivedKeyCache((key, usage, kind) =>
        {
            Interlocked.Increment(ref derivations);
            return new byte[] { key[0], (byte)usage, (byte)kind };
        });

        cache.GetOrDerive(new byte[] { 7, 7 }, 3, UsageKeyKind.Encryption);
        cache.GetOrDerive(new byte[] { 7, 7 }, 3, UsageKeyKind.Encryption);

        Assert.Equal(1, derivations);
    }

    [Fact]
    public void GetOrDerive_AnotherKeyUsageOrKind_IsNotServedFromTheCache()
    {
        var encryption = EncryptionTestData.Aes(EncryptionType.Aes256CtsHmacSha196);
        var baseKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var otherKey = (byte[])baseKey.Clone();
        otherKey[31] ^= 1;
        encryption.DeriveUsageKey(baseKey, Usage, UsageKeyKind.Encryption);

        Assert.Equal(encryption.DeriveUncachedUsageKey(otherKey, Usage, UsageKeyKind.Encryption), encryption.DeriveUsageKey(otherKey, Usage, UsageKeyKind.Encryption));
        Assert.Equal(encryption.DeriveUncachedUsageKey(baseKey, Usage + 1, UsageKeyKind.Encryption), encryption.DeriveUsageKey(baseKey, Usage + 1, UsageKeyKind.Encryption));
        Assert.Equal(encryption.DeriveUncachedUsageKey(baseKey, Usage, UsageKeyKind.Integrity), encryption.DeriveUsageKey(baseKey, Usage, UsageKeyKind.Integrity));
    }

    [Fact]
    public void GetOrDerive_CallerWipesItsKeyArray_CacheStillAnswersForTheOriginalKey()
    {
        var encryption = EncryptionTestData.Aes(EncryptionType.Aes128CtsHmacSha256128);
        var original = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();
        var callerArray = (byte[])original.Clone();
        var expected = encryption.DeriveUncachedUsageKey(original, Usage, UsageKeyKind.Integrity);
        encryption.DeriveUsageKey(callerArray, Usage, UsageKeyKind.Integrity);

        Array.Clear(callerArray, 0, callerArray.Length);

        Assert.Equal(expected, encryption.DeriveUsageKey(original, Usage, UsageKeyKind.Integrity));
        Assert.Equal(encryption.DeriveUncachedUsageKey(callerArray, Usage, UsageKeyKind.Integrity), encryption.DeriveUsageKey(callerArray, Usage, UsageKeyKind.Integrity));
    }

    [Fact]
    public void GetOrDerive_ManyBaseKeys_StaysWithinCapacity()
    {
        var cache = new DerivedKeyCache((key, usage, kind) => (byte[])key.Clone());

        for (var i = 0; i < DerivedKeyCache.Capacity * 3; i++)
        {
            Assert.Equal(BitConverter.GetBytes(i), cache.GetOrDerive(BitConverter.GetBytes(i), Usage, UsageKeyKind.Checksum));
        }

        Assert.InRange(cache.Count, 1, DerivedKeyCache.Capacity);
    }

    [Theory]
    [MemberData(nameof(AesTypes))]
    public void DeriveUsageKey_ConcurrentCallersAcrossCacheResets_AllGetTheRightKey(EncryptionType type)
    {
        var encryption = EncryptionTestData.Aes(type);
        var random = new Random(42);
        var baseKeys = Enumerable.Range(0, DerivedKeyCache.Capacity * 2).Select(_ => EncryptionTestData.RandomKey(encryption, random)).ToArray();
        var kinds = new[] { UsageKeyKind.Checksum, UsageKeyKind.Encryption, UsageKeyKind.Integrity };
        var expected = baseKeys.Select(key => kinds.Select(kind => encryption.DeriveUncachedUsageKey(key, Usage, kind)).ToArray()).ToArray();

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            // Mostly a few hot keys, as a probe uses them, with enough cold ones to keep resetting the cache.
            var keyIndex = i % 10 == 0 ? i / 10 % baseKeys.Length : i % 3;
            var kindIndex = i / 7 % kinds.Length;

            Assert.Equal(expected[keyIndex][kindIndex], encryption.DeriveUsageKey(baseKeys[keyIndex], Usage, kinds[kindIndex]));
        });
    }

    public static TheoryData<EncryptionType> AesTypes => new(
        EncryptionType.Aes128CtsHmacSha196,
        EncryptionType.Aes256CtsHmacSha196,
        EncryptionType.Aes128CtsHmacSha256128,
        EncryptionType.Aes256CtsHmacSha384192);
}
