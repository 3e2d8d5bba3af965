using System;
using System.Collections.Generic;
using System.Linq;

namespace KdcHa.Tests.Fuzzing;

/// <summary>
/// Deterministic hostile inputs derived from valid seed messages: every truncation, single-byte mutations at every
/// offset, oversized length fields at every offset, plus random bytes. A fixed seed makes failures reproducible.
/// </summary>
internal static class FuzzInputs
{
    public const int Seed = 20261124;

    private static readonly byte[] InterestingBytes = { 0x00, 0x01, 0x7F, 0x80, 0x81, 0x84, 0xFF, 0x30, 0xA0, 0x1B };

    public static IEnumerable<byte[]> Generate(IReadOnlyList<byte[]> validSamples, int randomCount)
    {
        var random = new Random(Seed);
        foreach (var sample in validSamples)
        {
            yield return sample;
            for (var length = 0; length < sample.Length; length++)
            {
                yield return sample.Take(length).ToArray();
            }

            for (var offset = 0; offset < sample.Length; offset++)
            {
                foreach (var value in InterestingBytes.Append((byte)random.Next(256)).Append((byte)(sample[offset] ^ 0x01)))
                {
                    yield return Replace(sample, offset, value);
                }

                // Long-form lengths claiming far more content than exists: 0x84 7FFFFFFF and 0x84 FFFFFFFF.
                yield return Overwrite(sample, offset, 0x84, 0x7F, 0xFF, 0xFF, 0xFF);
                yield return Overwrite(sample, offset, 0x84, 0xFF, 0xFF, 0xFF, 0xFF);
                yield return Overwrite(sample, offset, 0x7F, 0xFF, 0xFF, 0xFF);
            }
        }

        for (var i = 0; i < randomCount; i++)
        {
            var bytes = new byte[random.Next(0, 256)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && validSamples.Count > 0)
            {
                // Keep the first octet plausible so the decoders get past classification.
                bytes[0] = validSamples[random.Next(validSamples.Count)][0];
            }

            yield return bytes;
        }
    }

    private static byte[] Replace(byte[] sample, int offset, byte value)
    {
        var copy = (byte[])sample.Clone();
        copy[offset] = value;
        return copy;
    }

    private static byte[] Overwrite(byte[] sample, int offset, params byte[] values)
    {
        var copy = (byte[])sample.Clone();
        Array.Copy(values, 0, copy, offset, Math.Min(values.Length, copy.Length - offset));
        return copy;
    }
}
