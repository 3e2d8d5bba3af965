using System;

namespace KdcHa.Monitor;

/// <summary>One VRRP instance or sync group as keepalived last reported it through the notify FIFO.</summary>
public sealed class VrrpInstanceStatus
{
    /// <summary>INSTANCE or GROUP.</summary>
    public string Kind { get; set; } = string.Empty;

    public string Instance { get; set; } = string.Empty;

    public string State { get; set; } = string.Empty;

    public int? Priority { get; set; }

    public DateTime StateSince { get; set; }

    public VrrpInstanceStatus Copy() => (VrrpInstanceStatus)MemberwiseClone();
}
