namespace KdcHa.Notification;

public enum NotificationDeliveryStatus
{
    /// <summary>The channel accepted it and the spool file is gone.</summary>
    Delivered,

    /// <summary>Still in the spool when the caller stopped waiting; the next dispatcher on the spool sends it.</summary>
    Pending,

    /// <summary>Refused for good (a 4xx reply, a bad signature, a missing program) and moved to the spool's rejected folder.</summary>
    Rejected,

    /// <summary>Dropped, oldest first, because the channel's spool was full; a SpoolOverflow alert reports it.</summary>
    Evicted,

    /// <summary>Held back as a duplicate or as part of a flap; the flap summary stands for it.</summary>
    Suppressed,
}
