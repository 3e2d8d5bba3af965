using System.IO;
using System.Management.Automation;
using KdcHa.Keepalived;

namespace KdcHa.Commands;

[Cmdlet(VerbsCommon.New, "KdcHaKeepalivedConfig", SupportsShouldProcess = true)]
[OutputType(typeof(string))]
[OutputType(typeof(FileInfo))]
public sealed class NewKdcHaKeepalivedConfigCommand : ConfigurationFileCmdlet
{
    private readonly KeepalivedNodeSettings _defaults = new();

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = string.Empty;

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[] VirtualAddress { get; set; } = System.Array.Empty<string>();

    [Parameter(Mandatory = true)]
    public int Priority { get; set; }

    [Parameter]
    public int VirtualRouterId { get; set; } = 51;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RouterId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? InstanceName { get; set; }

    [Parameter]
    public int VrrpVersion { get; set; } = 3;

    [Parameter]
    public decimal AdvertIntervalSeconds { get; set; } = 0.1m;

    // Unset, the writer fits the default to the advert interval.
    [Parameter]
    public int DownTimerAdverts { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? UnicastPeer { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UnicastSourceAddress { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AuthenticationPassword { get; set; }

    [Parameter]
    public SwitchParameter NoPreempt { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StateDirectory { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NotifyFifo { get; set; }

    [Parameter]
    public int MonitorWeight { get; set; } = 150;

    [Parameter]
    public int HeartbeatStaleMilliseconds { get; set; } = 1000;

    // Unset, one instance holds every address; set, each address gets its own instance.
    [Parameter]
    public int ActiveActiveNode { get; set; }

    [Parameter]
    public int PriorityStep { get; set; } = 10;

    protected override void ProcessRecord()
    {
        var stateDirectory = StateDirectory ?? _defaults.StateDirectory;
        var settings = new KeepalivedNodeSettings
        {
            RouterId = RouterId ?? _defaults.RouterId,
            InstanceName = InstanceName ?? _defaults.InstanceName,
            Interface = Interface,
            VirtualRouterId = VirtualRouterId,
            Priority = Priority,
            VirtualAddress = VirtualAddress,
            VrrpVersion = VrrpVersion,
            AdvertIntervalSeconds = AdvertIntervalSeconds,
            DownTimerAdverts = MyInvocation.BoundParameters.ContainsKey(nameof(DownTimerAdverts)) ? DownTimerAdverts : null,
            UnicastPeer = UnicastPeer ?? System.Array.Empty<string>(),
            UnicastSourceAddress = UnicastSourceAddress,
            AuthenticationPassword = AuthenticationPassword,
            NoPreempt = NoPreempt,
            StateDirectory = stateDirectory,
            NotifyFifo = NotifyFifo ?? System.IO.Path.Combine(stateDirectory, "notify.fifo"),
            MonitorWeight = MonitorWeight,
            HeartbeatStaleMilliseconds = HeartbeatStaleMilliseconds,
            ActiveActiveNode = MyInvocation.BoundParameters.ContainsKey(nameof(ActiveActiveNode)) ? ActiveActiveNode : null,
            PriorityStep = PriorityStep,
        };

        WriteConfiguration(() => KeepalivedConfigWriter.Write(settings), KdcHaErrors.InvalidKeepalivedSetting, "Write keepalived configuration");
    }
}
