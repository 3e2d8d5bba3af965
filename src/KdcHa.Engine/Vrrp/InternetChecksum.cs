using System;

namespace KdcHa.Vrrp;

/// <summary>RFC 1071 one's-complement sum, which both VRRP versions use (version 3 over a pseudo-header too).</summary>
internal static class InternetChecksum
{
    /// <summary>A running sum of 16-bit words plus <paramref name="initial"/>; a long cannot overflow for any IP packet.</summary>
    public static long Sum(ReadOnlySpan<byte> data, long initial)
    {
        var sum = initial;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += (data[i] << 8) | data[i + 1];
        }

        if (data.Length % 2 == 1)
        {
            sum += data[data.Length - 1] << 8;
        }

        return sum;
    }

    /// <summary>The folded complement of the running sum plus <paramref name="data"/>: 0 when a checksum inside the data is right.</summary>
    public static int Complete(long running, ReadOnlySpan<byte> data)
    {
        var sum = Sum(data, running);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (int)(~sum & 0xFFFF);
    }
}
