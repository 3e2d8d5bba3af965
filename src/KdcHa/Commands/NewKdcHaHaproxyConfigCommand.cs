using System.IO;
using System.Management.Automation;
using KdcHa.Haproxy;

namespace KdcHa.Commands;

[Cmdlet(VerbsCommon.New, "KdcHaHaproxyConfig", SupportsShouldProcess = true)]
[OutputType(typeof(string))]
[OutputType(typeof(FileInfo))]
public sealed class NewKdcHaHaproxyConfigCommand : ConfigurationFileCmdlet
{
    private readonly HaproxySettings _defaults = new();

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[] Kdc { get; set; } = System.Array.Empty<string>();

    [Parameter(Mandatory = true)]
    [Alias("Vip")]
    [ValidateNotNullOrEmpty]
    public string[] VirtualAddress { get; set; } = System.Array.Empty<string>();

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Realm { get; set; } = string.Empty;

    [Parameter]
    public int Port { get; set; } = 88;

    [Parameter]
    public int AgentPort { get; set; } = HaproxySettings.DefaultAgentPort;

    [Parameter]
    public int AgentIntervalMilliseconds { get; set; } = 1000;

    [Parameter]
    public int CheckIntervalMilliseconds { get; set; } = 1000;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StatsSocket { get; set; }

    protected override void ProcessRecord()
    {
        var settings = new HaproxySettings
        {
            Kdc = Kdc,
            VirtualAddress = VirtualAddress,
            Realm = Realm,
            Port = Port,
            AgentPort = AgentPort,
            AgentIntervalMilliseconds = AgentIntervalMilliseconds,
            CheckIntervalMilliseconds = CheckIntervalMilliseconds,
            StatsSocket = StatsSocket ?? _defaults.StatsSocket,
        };

        WriteConfiguration(() => HaproxyConfigWriter.Write(settings), KdcHaErrors.InvalidHaproxySetting, "Write HAProxy configuration");
    }
}
