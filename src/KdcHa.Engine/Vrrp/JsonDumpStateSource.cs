using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>keepalived's JSON dump: state, base and effective priority, virtual addresses and last transition.</summary>
public sealed class JsonDumpStateSource : IVrrpStateSource
{
    public string Name => "Json";

    public bool IsAvailable(VrrpQuery query)
    {
        if (!query.HasKeepalived())
        {
            return false;
        }

        try
        {
            KeepalivedDump.SignalNumber(query.FindKeepalived().Executable, "JSON");
            return true;
        }
        catch (Common.KdcHaException)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<VrrpInstanceState>> GetStatesAsync(VrrpQuery query, CancellationToken cancellationToken)
    {
        var keepalived = query.FindKeepalived();
        var bytes = await KeepalivedDump.RequestAsync(keepalived, "JSON", KeepalivedDump.JsonFileName, IsWholeDocument, query.DumpTimeout, cancellationToken).ConfigureAwait(false);
        return KeepalivedJsonDump.Parse(bytes, LocalAddresses.Current(keepalived.ProcessId));
    }

    private static bool IsWholeDocument(byte[] bytes)
    {
        try
        {
            KeepalivedJsonDump.Parse(bytes, heldAddresses: null);
            return true;
        }
        catch (KeepalivedDumpFormatException)
        {
            return false;
        }
    }
}
