namespace KdcHa.Monitor;

/// <summary>A KDC's health after hysteresis: one probe result alone never flips it (except a definitive failure).</summary>
public enum KdcHealthState
{
    /// <summary>No verdict yet: treated as not down, so a starting monitor never faults its node on a guess.</summary>
    Unknown,
    Up,
    Down,
}
