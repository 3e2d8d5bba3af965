using KdcHa.Common;

namespace KdcHa.Kerberos.Keytab;

/// <summary>The file is not a readable MIT keytab (bad version, truncated record, lengths past the end, too large).</summary>
public sealed class KeytabFormatException : KdcHaException
{
    public KeytabFormatException(string message)
        : base(message)
    {
    }
}
