namespace KdcHa.Monitor;

/// <summary>The values of <see cref="MonitorStatus.State"/>.</summary>
public static class MonitorRunState
{
    public const string Running = "Running";
    public const string Stopped = "Stopped";
}
