using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>
/// The instance does not track the KdcHa maintenance file in a way that can demote it, so writing the file would
/// change nothing (or would not survive a keepalived restart).
/// </summary>
public sealed class MaintenanceTrackException : KdcHaException
{
    public MaintenanceTrackException(string message)
        : base(message)
    {
    }
}
