using System;
using System.Threading;

namespace KdcHa.Tests.Kerberos.Transport;

/// <summary>
/// Socket tests, and the hostile-input tests that time every probe, assert deadline bounds; running them alone keeps
/// thread-pool contention from other tests out of those bounds, and keeps the allocation and unobserved-exception
/// checks free of other tests' noise.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoopbackSocketCollection : ICollectionFixture<LoopbackSocketCollection.WarmThreadPool>
{
    public const string Name = "Loopback sockets";

    /// <summary>
    /// On a 2-core machine the pool starts with 2 worker threads and adds one only about every 0.5 s. While the test
    /// host and the loopback responders occupy them, timer callbacks queue behind, and the first deadline test overshot
    /// by 150-330 ms even though the transport blocks no pool thread. More minimum threads keeps the bounds about the
    /// transport, not about the host's warm-up.
    /// </summary>
    public sealed class WarmThreadPool
    {
        private const int MinimumWorkerThreads = 16;

        public WarmThreadPool()
        {
            ThreadPool.GetMinThreads(out var workers, out var completionPorts);
            ThreadPool.SetMinThreads(Math.Max(workers, MinimumWorkerThreads), completionPorts);
        }
    }
}
