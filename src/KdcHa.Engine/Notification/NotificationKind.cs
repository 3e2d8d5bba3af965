namespace KdcHa.Notification;

public enum NotificationKind
{
    Custom,
    VrrpStateChanged,
    KdcUnhealthy,
    KdcRecovered,
    SplitBrain,
    SwitchoverCompleted,

    /// <summary>Stands for several state changes of one instance that the flap window held back.</summary>
    FlapSummary,

    /// <summary>Reports notifications a full spool dropped, so the loss itself reaches the on-call channel.</summary>
    SpoolOverflow,

    ChannelTest,
}
