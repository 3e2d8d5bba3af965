namespace KdcHa.Notification;

/// <summary>
/// Progress from the background delivery loop. Called from any thread: the cmdlet queues the lines and writes them
/// as verbose output on the pipeline thread. Text arrives already redacted.
/// </summary>
public interface INotificationLog
{
    void Write(string message);
}
