using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>The keepalived configuration cannot be read or does not have the shape KdcHa relies on.</summary>
public sealed class KeepalivedConfigException : KdcHaException
{
    public KeepalivedConfigException(string message)
        : base(message)
    {
    }
}
