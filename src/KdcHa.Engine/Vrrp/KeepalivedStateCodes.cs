using System;

namespace KdcHa.Vrrp;

/// <summary>keepalived's state encodings: the numeric codes of vrrp.h (JSON) and the upper-case names (FIFO, .data).</summary>
public static class KeepalivedStateCodes
{
    public static VrrpState FromCode(long code) => code switch
    {
        0 => VrrpState.Init,
        1 => VrrpState.Backup,
        2 => VrrpState.Master,
        3 => VrrpState.Fault,
        97 => VrrpState.Deleted,
        98 => VrrpState.Stop,
        _ => VrrpState.Unknown,
    };

    public static VrrpState FromName(string name) => name.ToUpperInvariant() switch
    {
        "INIT" => VrrpState.Init,
        "BACKUP" => VrrpState.Backup,
        "MASTER" => VrrpState.Master,
        "FAULT" => VrrpState.Fault,
        "STOP" => VrrpState.Stop,
        "DELETED" => VrrpState.Deleted,
        _ => VrrpState.Unknown,
    };

    /// <summary>Seconds since the Unix epoch with a fraction, as keepalived prints last_transition.</summary>
    public static DateTime? FromUnixSeconds(double seconds) =>
        seconds > 0 && seconds < 253402300799 ? DateTime.SpecifyKind(new DateTime(1970, 1, 1).AddTicks((long)(seconds * TimeSpan.TicksPerSecond)), DateTimeKind.Utc) : null;
}
