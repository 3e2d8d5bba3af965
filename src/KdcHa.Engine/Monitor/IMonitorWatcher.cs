using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Monitor;

/// <summary>
/// A source the monitor watches beside its probes (keepalived's notify FIFO, the VRRP wire). Each runs on its own
/// task so the probe loop never waits on it; it handles its own failures and returns only when cancelled.
/// </summary>
public interface IMonitorWatcher
{
    Task RunAsync(CancellationToken cancellationToken);
}
