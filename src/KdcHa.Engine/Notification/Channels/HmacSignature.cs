using System;
using System.Security.Cryptography;
using System.Text;

namespace KdcHa.Notification.Channels;

internal static class HmacSignature
{
    public static byte[] Sha256(string key, string message) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message));

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static string Base64(byte[] bytes) => Convert.ToBase64String(bytes);
}
