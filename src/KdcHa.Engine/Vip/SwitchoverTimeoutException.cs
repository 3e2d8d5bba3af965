using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>
/// No healthy peer took the VIP in time. The message says what was observed and in which state the node was left.
/// </summary>
public sealed class SwitchoverTimeoutException : KdcHaException
{
    public SwitchoverTimeoutException(string message, SwitchoverStage stage, bool rolledBack)
        : base(message)
    {
        Stage = stage;
        RolledBack = rolledBack;
    }

    public SwitchoverStage Stage { get; }

    public bool RolledBack { get; }
}
