using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using KdcHa.Configuration;
using KdcHa.Status;

namespace KdcHa.Commands;

[Cmdlet(VerbsCommon.Get, "KdcHaStatus", DefaultParameterSetName = StateDirectorySet)]
[OutputType(typeof(ClusterStatus))]
[OutputType(typeof(bool))]
public sealed class GetKdcHaStatusCommand : KdcHaCmdlet
{
    /// <summary>The port docs/prometheus/metrics.md and the examples give -MetricsAddress.</summary>
    public const int DefaultPort = 9464;

    private const string StateDirectorySet = "StateDirectory";
    private const string PathSet = "Path";
    private const string UriSet = "Uri";
    private const string ComputerNameSet = "ComputerName";

    private readonly List<string> _paths = new();
    private readonly List<(Uri Uri, string? Name)> _uris = new();

    [Parameter(ParameterSetName = StateDirectorySet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] StateDirectory { get; set; } = { MonitorConfiguration.DefaultStateDirectory };

    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = UriSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public Uri[] Uri { get; set; } = Array.Empty<Uri>();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ComputerNameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Node")]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = ComputerNameSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = DefaultPort;

    [Parameter(ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = ComputerNameSet)]
    [ValidateRange(50, 60000)]
    public int TimeoutMilliseconds { get; set; } = 2000;

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case StateDirectorySet:
                _paths.AddRange(StateDirectory.Select(directory => new MonitorConfiguration { StateDirectory = directory }.StatusFile));
                break;
            case PathSet:
                _paths.AddRange(Path);
                break;
            case UriSet:
                _uris.AddRange(Uri.Select(uri => (Checked(uri.OriginalString, () => uri), (string?)null)));
                break;
            default:
                _uris.AddRange(ComputerName.Select(name => (Checked(name, () => ForComputer(name)), (string?)name)));
                break;
        }
    }

    protected override void EndProcessing()
    {
        using var client = _uris.Count > 0 ? StatusHttpSource.NewClient() : null;
        var timeout = TimeSpan.FromMilliseconds(TimeoutMilliseconds);
        var sources = _paths.Select(path => (IStatusSource)new StatusFileSource(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)))
            .Concat(_uris.Select(uri => new StatusHttpSource(uri.Uri, client!, timeout, uri.Name)))
            .ToList();
        ClusterStatus cluster;
        try
        {
            cluster = RunOnPipeline("Reading the monitors' status", (output, token) => ClusterStatusReader.ReadAsync(sources, DateTime.UtcNow, output, token));
        }
        catch (OperationCanceledException)
        {
            return;
        }

        WriteObject(Quiet ? cluster.Healthy : cluster);
    }

    private Uri ForComputer(string name)
    {
        // UriBuilder brackets an IPv6 literal itself, so one given in brackets loses them first.
        var host = name.StartsWith('[') && name.EndsWith(']') ? name[1..^1] : name;
        return System.Uri.CheckHostName(host) == UriHostNameType.Unknown
            ? throw new ArgumentException("it is not a host name or an IP address.")
            : new UriBuilder(System.Uri.UriSchemeHttp, host, Port, "/status").Uri;
    }

    private Uri Checked(string given, Func<Uri> uri)
    {
        try
        {
            return StatusHttpSource.StatusUri(uri());
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            ThrowTerminatingError(NewError(new ArgumentException($"'{given}' is not a status endpoint: {e.Message}", e), KdcHaErrors.InvalidAddress, given));
            throw;
        }
    }
}
