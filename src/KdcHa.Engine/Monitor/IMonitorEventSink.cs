namespace KdcHa.Monitor;

/// <summary>Receives the monitor's events. Must not block: the monitor loop calls it between probes.</summary>
public interface IMonitorEventSink
{
    void Publish(MonitorEvent monitorEvent);
}
