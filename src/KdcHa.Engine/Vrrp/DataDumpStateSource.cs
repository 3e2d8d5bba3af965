using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>keepalived's text dump (.data): the fallback for builds without JSON; the same fields, parsed from text.</summary>
public sealed class DataDumpStateSource : IVrrpStateSource
{
    // The last section keepalived 2.2 writes; a dump without it is still being written.
    private const string LastSection = "------< Interfaces >------";

    public string Name => "Data";

    public bool IsAvailable(VrrpQuery query) => query.HasKeepalived();

    public async Task<IReadOnlyList<VrrpInstanceState>> GetStatesAsync(VrrpQuery query, CancellationToken cancellationToken)
    {
        var keepalived = query.FindKeepalived();
        var bytes = await KeepalivedDump.RequestAsync(keepalived, "DATA", KeepalivedDump.DataFileName, IsWholeDump, query.DumpTimeout, cancellationToken).ConfigureAwait(false);
        return KeepalivedDataDump.Parse(Encoding.UTF8.GetString(bytes), LocalAddresses.Current(keepalived.ProcessId));
    }

    private static bool IsWholeDump(byte[] bytes) => Encoding.UTF8.GetString(bytes).Contains(LastSection);
}
