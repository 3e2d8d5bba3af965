namespace KdcHa.Monitor;

/// <summary>What the node should tell keepalived, and why.</summary>
/// <param name="Fault">True: put this node's VRRP instance in FAULT so a peer takes the VIP.</param>
/// <param name="AllKdcsDown">True when no KDC of the group is up: the VIP stays put and a Critical alert is due.</param>
/// <param name="Reason">Why, in words for the log and the status file.</param>
public sealed record FailoverDecision(bool Fault, bool AllKdcsDown, string Reason);
