namespace KdcHa.Monitor;

public interface IMonitorStatusStore
{
    void Write(MonitorStatus status);
}
