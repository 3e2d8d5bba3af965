namespace KdcHa.Monitor;

/// <summary>How the monitor talks to keepalived: through files keepalived tracks.</summary>
public interface IKeepalivedTracking
{
    /// <summary>The fault flag as keepalived sees it now (left by a previous run, say).</summary>
    bool ReadFault();

    /// <summary>Sets or clears the health fault flag (a weight-0 track_file: non-zero means FAULT).</summary>
    void WriteFault(bool fault);

    /// <summary>Proves the monitor is alive and not stalled; keepalived lowers the node's priority when it goes stale.</summary>
    void Heartbeat();

    /// <summary>Makes the heartbeat stale at once, so a clean stop hands the VIP to a supervised peer without waiting.</summary>
    void StopHeartbeat();
}
