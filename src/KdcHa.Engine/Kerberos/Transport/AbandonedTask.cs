using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Kerberos.Transport;

/// <summary>
/// A task left behind at a deadline (a socket op aborted by disposal, a DNS lookup that never returns) may fault
/// after nobody awaits it; observing the fault keeps it out of TaskScheduler.UnobservedTaskException.
/// </summary>
internal static class AbandonedTask
{
    public static Task<T> ObserveFault<T>(Task<T> task)
    {
        _ = task.ContinueWith(
            static faulted => _ = faulted.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }
}
