namespace KdcHa.Notification;

public enum ThrottleDecision
{
    Deliver,
    Duplicate,
    Flapping,
}
