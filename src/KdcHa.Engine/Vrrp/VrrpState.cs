namespace KdcHa.Vrrp;

/// <summary>
/// A VRRP instance's state as keepalived names it. Stop and Deleted are keepalived's own codes (98 and 97): the
/// instance is going away. Unknown covers a code this version does not know, never a failure to read.
/// </summary>
public enum VrrpState
{
    Init,
    Backup,
    Master,
    Fault,
    Stop,
    Deleted,
    Unknown,
}
