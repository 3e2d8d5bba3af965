namespace KdcHa.Kerberos.Crypto;

/// <summary>The RC4 stream cipher, needed for RC4-HMAC (RFC 4757); .NET does not ship it.</summary>
internal static class Rc4
{
    /// <summary>Encrypts or decrypts (the operation is its own inverse) with a fresh key schedule.</summary>
    public static byte[] Transform(byte[] key, byte[] data)
    {
        var s = new byte[256];
        for (var i = 0; i < 256; i++)
        {
            s[i] = (byte)i;
        }

        for (int i = 0, j = 0; i < 256; i++)
        {
            j = (j + s[i] + key[i % key.Length]) & 0xff;
            (s[i], s[j]) = (s[j], s[i]);
        }

        var output = new byte[data.Length];
        for (int n = 0, i = 0, j = 0; n < data.Length; n++)
        {
            i = (i + 1) & 0xff;
            j = (j + s[i]) & 0xff;
            (s[i], s[j]) = (s[j], s[i]);
            output[n] = (byte)(data[n] ^ s[(s[i] + s[j]) & 0xff]);
        }

        return output;
    }
}
