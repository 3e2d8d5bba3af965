using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>A move was asked for on a node that does not hold the VIP, so there is nothing to move away.</summary>
public sealed class NotVipHolderException : KdcHaException
{
    public NotVipHolderException(string message)
        : base(message)
    {
    }
}
