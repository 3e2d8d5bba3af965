using System;
using System.Collections.Generic;

namespace KdcHa.Notification;

/// <summary>Durable per-channel queues that outlive the process; several processes may share one spool.</summary>
public interface INotificationSpool
{
    /// <summary>Durably stores the notification for the channel before returning, evicting the oldest past the bound.</summary>
    SpoolAddResult Add(string channel, NotificationEvent notification);

    /// <summary>The channel's entries, oldest first.</summary>
    IReadOnlyList<SpoolEntry> Pending(string channel);

    /// <summary>Throws <see cref="SpoolCorruptException"/> for a file that is not a spool record.</summary>
    NotificationEvent Read(SpoolEntry entry);

    void Complete(SpoolEntry entry);

    /// <summary>Moves the entry to the channel's rejected folder, where an operator can inspect it.</summary>
    void SetAside(SpoolEntry entry, string reason);

    /// <summary>Exclusive right to deliver the channel's entries, or null while another dispatcher holds it.</summary>
    IDisposable? TryLock(string channel);
}
