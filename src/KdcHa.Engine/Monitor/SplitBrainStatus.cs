using System;
using System.Collections.Generic;

namespace KdcHa.Monitor;

/// <summary>A split brain in progress, as the status file shows it.</summary>
public sealed class SplitBrainStatus
{
    public int VirtualRouterId { get; set; }

    public List<string> Masters { get; set; } = new();

    public DateTime Since { get; set; }
}
