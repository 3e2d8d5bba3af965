

namespace KdcHa.Tests.Kerberos.Transport;

/// <summary>
/// Socket tests assert deadline bounds; running them alone keeps thread-pool contention from other tests out of
/// those bounds, and keeps the allocation and unobserved-exception checks free of other tests' noise.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoopbackSocketCollection
{
    public const string Name = "Loopback sockets";
}
