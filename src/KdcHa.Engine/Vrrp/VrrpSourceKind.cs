namespace KdcHa.Vrrp;

/// <summary>Where Get-VrrpState reads from; Auto picks the richest source available.</summary>
public enum VrrpSourceKind
{
    Auto,
    DBus,
    Json,
    Data,
    Interface,
    Wire,
}
