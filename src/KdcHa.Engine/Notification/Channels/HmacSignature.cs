using System;
using System.Security.Cryptography;
using System.Text;

namespace KdcHa.Notification.Channels;

internal static class HmacSignature
{
    public static byte[] Sha256(string key, string message)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(key));
        return hmac.ComputeHash(Encoding.UTF8.GetBytes(message));
    }

    public static string Hex(byte[] bytes)
    {
        var hex = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }

    public static string Base64(byte[] bytes) => Convert.ToBase64String(bytes);
}
