using System;
using System.IO;
using System.Management.Automation;
using KdcHa.Common;
using KdcHa.Configuration;
using KdcHa.Monitor;

namespace KdcHa.Commands;

[Cmdlet(VerbsCommon.Get, "KdcHaMonitor", DefaultParameterSetName = StateDirectorySet)]
[OutputType(typeof(MonitorStatus))]
public sealed class GetKdcHaMonitorCommand : KdcHaCmdlet
{
    private const string StateDirectorySet = "StateDirectory";
    private const string PathSet = "Path";

    [Parameter(Position = 0, ParameterSetName = StateDirectorySet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string StateDirectory { get; set; } = MonitorConfiguration.DefaultStateDirectory;

    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    protected override void ProcessRecord()
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(
            Path ?? new MonitorConfiguration { StateDirectory = StateDirectory }.StatusFile);
        try
        {
            WriteObject(new MonitorStatusFile(path).Read(DateTime.UtcNow));
        }
        catch (KdcHaException e) when (e.InnerException is FileNotFoundException or DirectoryNotFoundException)
        {
            WriteError(NewError(e, KdcHaErrors.MonitorStatusNotFound, path));
        }
        catch (KdcHaException e)
        {
            WriteError(NewError(e, KdcHaErrors.MonitorStatusInvalid, path));
        }
        catch (UnauthorizedAccessException e)
        {
            WriteError(NewError(e, KdcHaErrors.MonitorStatusUnreadable, path));
        }
    }
}
