using System;

namespace KdcHa.Kerberos.Messages;

/// <summary>RFC 4120 §5.2.7.2 PA-ENC-TS-ENC, the plaintext that PA-ENC-TIMESTAMP encrypts with key usage 1.</summary>
public static class PaEncTimestamp
{
    public const int MaxMicroseconds = 999_999;

    /// <summary>
    /// The timestamp is sent with whole-second precision; sub-second precision travels in
    /// <paramref name="microseconds"/>. Local times are converted, unspecified ones are taken as UTC.
    /// </summary>
    public static byte[] Encode(DateTime timestampUtc, int microseconds)
    {
        if (microseconds is < 0 or > MaxMicroseconds)
        {
            throw new ArgumentOutOfRangeException(nameof(microseconds), microseconds, "Microseconds must be 0..999999.");
        }

        var writer = KerberosAsnWriter.CreateWriter();
        using (writer.PushSequence())
        {
            writer.WriteExplicitKerberosTime(0, timestampUtc);
            writer.WriteExplicitInteger(1, microseconds);
        }

        return writer.Encode();
    }
}
