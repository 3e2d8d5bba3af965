namespace KdcHa.Monitor;

public enum MonitorEventSeverity
{
    Information,
    Warning,
    Critical,
}
