namespace KdcHa.Vip;

/// <summary>Where a switchover is; reported as progress and named in a timeout.</summary>
public enum SwitchoverStage
{
    Demoting,
    WaitingForPeer,
    WaitingForRelease,
    ProbingVip,
    RollingBack,
    Restoring,
}
