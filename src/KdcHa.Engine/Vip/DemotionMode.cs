namespace KdcHa.Vip;

/// <summary>What keepalived does with a demoted node, decided by the weight of the KdcHa track_file.</summary>
public enum DemotionMode
{
    /// <summary>
    /// A negative weight drops the priority: the node stays a backup, keeps the VIP until a peer takes it (no gap),
    /// and still takes it back if every peer fails during the maintenance.
    /// </summary>
    Standby,

    /// <summary>Weight 0: the instance enters FAULT, sends a priority-0 advert and drops the VIP at once.</summary>
    Fault,
}
