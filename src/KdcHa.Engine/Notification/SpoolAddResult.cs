using System.Collections.Generic;

namespace KdcHa.Notification;

public sealed class SpoolAddResult
{
    public SpoolAddResult(SpoolEntry entry, IReadOnlyList<SpoolEntry> evicted)
    {
        Entry = entry;
        Evicted = evicted;
    }

    public SpoolEntry Entry { get; }

    /// <summary>The oldest entries removed to keep the channel within its bound.</summary>
    public IReadOnlyList<SpoolEntry> Evicted { get; }
}
