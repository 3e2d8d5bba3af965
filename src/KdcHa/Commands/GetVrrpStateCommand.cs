using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using KdcHa.Common;
using KdcHa.Completers;
using KdcHa.Keepalived;
using KdcHa.Vrrp;

namespace KdcHa.Commands;

[Cmdlet(VerbsCommon.Get, "VrrpState")]
[OutputType(typeof(VrrpStateRecord))]
public sealed class GetVrrpStateCommand : KdcHaCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Instance")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VrrpInstanceCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public VrrpSourceKind Source { get; set; } = VrrpSourceKind.Auto;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Interface { get; set; }

    [Parameter]
    [ValidateRange(0.1, 3600.0)]
    public double ListenSeconds { get; set; } = 3;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string PidFile { get; set; } = KeepalivedProcess.DefaultPidFile;

    protected override void BeginProcessing()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            ThrowTerminatingError(NewError(
                new PlatformNotSupportedException("Get-VrrpState reads keepalived and raw VRRP packets through Linux interfaces (/proc, signals, SO_BINDTODEVICE); it runs on Linux only."),
                KdcHaErrors.PlatformNotSupported, RuntimeInformation.OSDescription));
        }
    }

    protected override void ProcessRecord()
    {
        var query = new VrrpQuery
        {
            PidFile = SessionState.Path.GetUnresolvedProviderPathFromPSPath(PidFile),
            Interface = Interface,
            ListenTime = TimeSpan.FromSeconds(ListenSeconds),
        };
        var listenOnWire = MyInvocation.BoundParameters.ContainsKey(nameof(ListenSeconds));
        if (Source == VrrpSourceKind.Wire || listenOnWire)
        {
            WriteVerbose($"Listening for VRRP advertisements for {ListenSeconds} s.");
        }

        IReadOnlyList<VrrpInstanceState> states;
        try
        {
            states = RunOnPipeline("Get-VrrpState", (output, token) => new VrrpStateReader().ReadAsync(query, Source, listenOnWire, output, token));
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (KdcHaException e)
        {
            ThrowTerminatingError(EngineError(e, query.PidFile, KdcHaErrors.SourceUnavailable));
            return;
        }

        var patterns = (Name ?? new[] { "*" }).Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
        foreach (var state in states.Where(s => patterns.Any(p => p.IsMatch(s.Name))))
        {
            if (state.SplitBrain == true)
            {
                WriteWarning($"Split brain on VRID {state.VirtualRouterId}: {string.Join(", ", state.Peers.Where(p => p.IsMaster).Select(p => p.ToString()))} all advertise as master.");
            }

            WriteObject(new VrrpStateRecord(state));
        }

        foreach (var missing in (Name ?? Array.Empty<string>()).Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && !states.Any(s => string.Equals(s.Name, n, StringComparison.OrdinalIgnoreCase))))
        {
            WriteError(NewError(
                new ItemNotFoundException($"keepalived runs no VRRP instance named '{missing}'. It runs: {string.Join(", ", states.Select(s => s.Name))}."),
                KdcHaErrors.InstanceNotFound, missing));
        }
    }
}
