namespace KdcHa.Kerberos.Crypto;

/// <summary>RFC 3961 §5.1 n-fold: stretches or shrinks a constant to the cipher block size.</summary>
internal static class NFold
{
    public static byte[] Fold(byte[] input, int outputBytes)
    {
        var copies = LeastCommonMultiple(input.Length, outputBytes) / input.Length;
        var result = new byte[outputBytes];
        var chunk = new byte[outputBytes];
        var chunkFill = 0;
        for (var copy = 0; copy < copies; copy++)
        {
            foreach (var value in RotateRight(input, 13 * copy))
            {
                chunk[chunkFill++] = value;
                if (chunkFill == outputBytes)
                {
                    AddOnesComplement(result, chunk);
                    chunkFill = 0;
                }
            }
        }

        return result;
    }

    private static byte[] RotateRight(byte[] input, int bits)
    {
        var totalBits = input.Length * 8;
        var result = new byte[input.Length];
        for (var target = 0; target < totalBits; target++)
        {
            var source = ((target - bits) % totalBits + totalBits) % totalBits;
            if ((input[source / 8] & (0x80 >> (source % 8))) != 0)
            {
                result[target / 8] |= (byte)(0x80 >> (target % 8));
            }
        }

        return result;
    }

    // One's-complement addition: a carry out of the most significant byte wraps around into the least significant.
    private static void AddOnesComplement(byte[] sum, byte[] addend)
    {
        var carry = 0;
        for (var i = sum.Length - 1; i >= 0; i--)
        {
            carry += sum[i] + addend[i];
            sum[i] = (byte)carry;
            carry >>= 8;
        }

        for (var i = sum.Length - 1; carry != 0 && i >= 0; i--)
        {
            carry += sum[i];
            sum[i] = (byte)carry;
            carry >>= 8;
        }
    }

    private static int LeastCommonMultiple(int a, int b)
    {
        var (x, y) = (a, b);
        while (y != 0)
        {
            (x, y) = (y, x % y);
        }

        return a / x * b;
    }
}
