#requires -Version 7.4
<#
.SYNOPSIS
    The DSC v3 command resource KdcHa/Node (KdcHa.dsc.resource.json runs it; dsc starts it in this folder).
.DESCRIPTION
    One node's KdcHa set-up as desired state: the keepalived.conf that New-KdcHaKeepalivedConfig renders from the
    instance's "keepalived" parameters, the monitor configuration (.psd1) that Start-KdcHaMonitor reads, and whether
    the systemd unit kdcha-monitor@<name>.service is enabled. The instance arrives as JSON on stdin; results leave
    as JSON lines on stdout, trace lines ({"info": "..."}, {"warn": ...}, {"error": ...}) on stderr, and the exit
    code is one of those the manifest declares. A property left out of the instance is not managed.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [ValidateSet('get', 'test', 'set', 'whatIf', 'export')]
    [string] $Operation
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# Anything a host stream writes would land on stdout, where dsc expects JSON only.
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'
$VerbosePreference = 'SilentlyContinue'

$ExitCode = @{ Success = 0; Error = 1; InvalidInput = 2; FileError = 3; NeedsSystemd = 4 }
$DefaultKeepalivedPath = '/etc/keepalived/keepalived.conf'
$DefaultMonitorDirectory = '/etc/kdcha'
$InstanceKeys = 'name', 'keepalivedConfigurationPath', 'keepalived', 'monitorConfigurationPath', 'monitor', 'monitorServiceEnabled', '_inDesiredState', '_metadata'
$RedactedPassword = '********'

class DscInputException : System.Exception {
    DscInputException([string] $message) : base($message) {}
}

class DscSystemdException : System.Exception {
    DscSystemdException([string] $message) : base($message) {}
}

# .NET exceptions from a method call arrive wrapped in MethodInvocationException.
function Get-InnermostException([System.Exception] $Exception) {
    while ($Exception -is [System.Management.Automation.MethodInvocationException] -and $null -ne $Exception.InnerException) {
        $Exception = $Exception.InnerException
    }
    $Exception
}

function Write-Trace([ValidateSet('error', 'warn', 'info', 'debug')] [string] $Level, [string] $Message) {
    [Console]::Error.WriteLine((@{ $Level = $Message } | ConvertTo-Json -Compress))
}

function Write-Result($Value) {
    [Console]::Out.WriteLine((ConvertTo-Json -InputObject $Value -Compress -Depth 10))
}

function Read-Instance {
    $text = if ([Console]::IsInputRedirected) { [Console]::In.ReadToEnd() } else { '' }
    if ([string]::IsNullOrWhiteSpace($text)) {
        return $null
    }
    try {
        $instance = ConvertFrom-Json -InputObject $text -AsHashtable -Depth 10
    }
    catch {
        throw [DscInputException]::new("The input is not JSON: $($_.Exception.Message)")
    }
    if ($instance -isnot [System.Collections.IDictionary]) {
        throw [DscInputException]::new('The input must be a JSON object: one KdcHa/Node instance.')
    }
    foreach ($key in $instance.Keys) {
        if ($key -cnotin $InstanceKeys) {
            throw [DscInputException]::new("'$key' is not a KdcHa/Node property; known: $($InstanceKeys -join ', ').")
        }
    }
    $instance
}

function Assert-Name([string] $Name) {
    # The name becomes a systemd instance and a file name: nothing that could leave /etc/kdcha or split a unit name.
    if ($Name -cnotmatch '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$') {
        throw [DscInputException]::new("name '$Name' must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit.")
    }
}

function Resolve-Instance($Instance) {
    if ($null -eq $Instance -or -not $Instance.Contains('name')) {
        throw [DscInputException]::new("A KdcHa/Node instance needs 'name' (the monitor's systemd instance, kdcha-monitor@<name>.service).")
    }
    Assert-Name $Instance.name
    if (-not $Instance.Contains('keepalivedConfigurationPath')) { $Instance.keepalivedConfigurationPath = $DefaultKeepalivedPath }
    if (-not $Instance.Contains('monitorConfigurationPath')) { $Instance.monitorConfigurationPath = Join-Path $DefaultMonitorDirectory "$($Instance.name).psd1" }
    foreach ($path in $Instance.keepalivedConfigurationPath, $Instance.monitorConfigurationPath) {
        if (-not [IO.Path]::IsPathFullyQualified($path)) {
            throw [DscInputException]::new("'$path' must be an absolute path: dsc runs this script in the module's folder.")
        }
    }
    $Instance
}

# The keepalived parameters as New-KdcHaKeepalivedConfig takes them; the JSON names are its parameter names in camelCase.
function Get-KeepalivedParameterNames {
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters + 'Path', 'PassThru'
    (Get-Command New-KdcHaKeepalivedConfig).Parameters.Keys | Where-Object { $_ -notin $common }
}

function ConvertTo-CamelCase([string] $Name) { $Name.Substring(0, 1).ToLowerInvariant() + $Name.Substring(1) }

function Get-KeepalivedText([System.Collections.IDictionary] $Keepalived) {
    $known = @{}
    foreach ($name in Get-KeepalivedParameterNames) { $known[(ConvertTo-CamelCase $name)] = $name }
    $parameters = @{}
    foreach ($key in $Keepalived.Keys) {
        if (-not $known.ContainsKey($key)) {
            throw [DscInputException]::new("keepalived.$key is not a New-KdcHaKeepalivedConfig parameter; known: $($known.Keys -join ', ').")
        }
        $parameters[$known[$key]] = $Keepalived[$key]
    }
    try {
        New-KdcHaKeepalivedConfig @parameters
    }
    catch {
        throw [DscInputException]::new("keepalived: $($_.Exception.Message)")
    }
}

function Get-MonitorSettingNames { [KdcHa.Configuration.MonitorConfiguration]::Settings.Name }

# Settings in the JSON spelling (camelCase), checked as Start-KdcHaMonitor checks a configuration file.
function ConvertTo-MonitorSettings([System.Collections.IDictionary] $Monitor) {
    $names = @{}
    foreach ($name in Get-MonitorSettingNames) { $names[(ConvertTo-CamelCase $name)] = $name }
    $settings = [ordered]@{}
    foreach ($key in $Monitor.Keys) {
        if (-not $names.ContainsKey($key)) {
            throw [DscInputException]::new("monitor.$key is not a monitor setting; known: $($names.Keys -join ', ').")
        }
        $settings[$names[$key]] = $Monitor[$key]
    }
    $check = [KdcHa.Configuration.MonitorConfiguration]::new()
    try {
        $check.ApplyFile([hashtable] $settings, [string[]] @())
        $check.Validate()
    }
    catch {
        throw [DscInputException]::new("monitor: $((Get-InnermostException $_.Exception).Message)")
    }
    $settings
}

function ConvertTo-Psd1Literal($Value) {
    if ($Value -is [string]) { return "'" + $Value.Replace("'", "''") + "'" }
    if ($Value -is [System.Collections.IList]) { return '@(' + (($Value | ForEach-Object { ConvertTo-Psd1Literal $_ }) -join ', ') + ')' }
    if ($Value -is [bool]) { return $(if ($Value) { '$true' } else { '$false' }) }
    [System.Convert]::ToString($Value, [cultureinfo]::InvariantCulture)
}

function Get-MonitorText([System.Collections.IDictionary] $Settings, [string] $Name) {
    $lines = @("# Settings of Start-KdcHaMonitor for kdcha-monitor@$Name.service, written by the DSC resource KdcHa/Node.", '@{')
    foreach ($key in $Settings.Keys) { $lines += "    $key = $(ConvertTo-Psd1Literal $Settings[$key])" }
    ($lines + '}') -join "`n"
}

# The monitor file's settings in the JSON spelling, or $null when there is no file.
function Read-MonitorSettings([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { return $null }
    try {
        $data = Import-PowerShellDataFile -LiteralPath $Path
    }
    catch {
        throw [System.IO.IOException]::new("$Path is not a readable monitor configuration: $($_.Exception.Message)")
    }
    $settings = [ordered]@{}
    foreach ($name in Get-MonitorSettingNames) {
        $key = $data.Keys | Where-Object { $_ -eq $name } | Select-Object -First 1
        if ($null -ne $key) { $settings[(ConvertTo-CamelCase $name)] = $data[$key] }
    }
    $settings
}

function Test-SameSettings($Actual, $Desired) {
    if ($null -eq $Actual) { return $false }
    # Setting names bind in any case, as in Start-KdcHaMonitor's files; values compare as their invariant text.
    $normalise = { param($settings) ($settings.Keys | Sort-Object { $_.ToLowerInvariant() } | ForEach-Object { "$($_.ToLowerInvariant())=$(@($settings[$_]) -join "`u{1f}")" }) -join "`n" }
    (& $normalise $Actual) -ceq (& $normalise $Desired)
}

function Get-SystemdUnavailableReason {
    $pid1 = (Get-Content -LiteralPath /proc/1/comm -ErrorAction Ignore) -as [string]
    if ($pid1 -ne 'systemd') { "systemd is not running (PID 1 is '$pid1')" } else { $null }
}

function Get-ServiceEnabled([string] $Name) {
    $reason = Get-SystemdUnavailableReason
    if ($reason) {
        Write-Trace warn "kdcha-monitor@$Name.service: enablement unknown, $reason."
        return $null
    }
    $state = & systemctl is-enabled "kdcha-monitor@$Name.service" 2>$null
    $state -eq 'enabled'
}

function Write-FileAtomically([string] $Path, [string] $Text, [System.IO.UnixFileMode] $Mode) {
    $directory = Split-Path -Parent $Path
    if (-not (Test-Path -LiteralPath $directory)) { New-Item -ItemType Directory -Path $directory -Force | Out-Null }
    $temporary = "$Path.kdcha-dsc-$PID"
    try {
        [IO.File]::WriteAllText($temporary, $Text + "`n", [System.Text.UTF8Encoding]::new($false))
        [IO.File]::SetUnixFileMode($temporary, $Mode)
        [IO.File]::Move($temporary, $Path, $true)
    }
    finally {
        Remove-Item -LiteralPath $temporary -ErrorAction Ignore
    }
}

# The node as it is, judged against $Desired: the state object dsc shows, the properties that differ, and for each
# a change (what it means and the action that makes it).
function Compare-Node([System.Collections.IDictionary] $Desired) {
    $state = [ordered]@{
        name                        = $Desired.name
        keepalivedConfigurationPath = $Desired.keepalivedConfigurationPath
        keepalived                  = $null
        monitorConfigurationPath    = $Desired.monitorConfigurationPath
        monitor                     = Read-MonitorSettings $Desired.monitorConfigurationPath
        monitorServiceEnabled       = Get-ServiceEnabled $Desired.name
    }
    $changes = [ordered]@{}

    if ($Desired.Contains('keepalived') -and $null -ne $Desired.keepalived) {
        $text = Get-KeepalivedText $Desired.keepalived
        $path = $Desired.keepalivedConfigurationPath
        $current = if (Test-Path -LiteralPath $path -PathType Leaf) { [IO.File]::ReadAllText($path).TrimEnd("`n") } else { $null }
        if ($current -ceq $text.TrimEnd("`n")) {
            # keepalived.conf is rendered, not parsed back: the parameters are reported when the file is their rendering.
            $state.keepalived = $Desired.keepalived
        }
        else {
            $mode = if ($Desired.keepalived.Contains('authenticationPassword')) { [System.IO.UnixFileMode] 'UserRead, UserWrite' } else { [System.IO.UnixFileMode] 'UserRead, UserWrite, GroupRead, OtherRead' }
            $changes.keepalived = @{
                Action  = if ($null -eq $current) { "write $path (it does not exist)" } else { "rewrite $path (it differs from the rendering of the keepalived parameters)" }
                Apply   = { Write-FileAtomically $path $text $mode }.GetNewClosure()
            }
        }
    }

    if ($Desired.Contains('monitor') -and $null -ne $Desired.monitor) {
        $settings = ConvertTo-MonitorSettings $Desired.monitor
        if (-not (Test-SameSettings $state.monitor $Desired.monitor)) {
            $path = $Desired.monitorConfigurationPath
            $text = Get-MonitorText $settings $Desired.name
            $changes.monitor = @{
                Action  = "write $path with the monitor settings $(@($settings.Keys) -join ', ')"
                Apply   = { Write-FileAtomically $path $text ([System.IO.UnixFileMode] 'UserRead, UserWrite, GroupRead, OtherRead') }.GetNewClosure()
            }
        }
    }

    if ($Desired.Contains('monitorServiceEnabled') -and $null -ne $Desired.monitorServiceEnabled -and $state.monitorServiceEnabled -ne $Desired.monitorServiceEnabled) {
        $unit = "kdcha-monitor@$($Desired.name).service"
        $verb = if ($Desired.monitorServiceEnabled) { 'enable' } else { 'disable' }
        $reason = Get-SystemdUnavailableReason
        $changes.monitorServiceEnabled = @{
            Action  = if ($reason) { "run systemctl $verb $unit, which set refuses here: $reason" } else { "run systemctl $verb $unit" }
            Apply   = {
                if ($reason) { throw [DscSystemdException]::new("Cannot $verb ${unit}: $reason; enable it where systemd runs, or leave monitorServiceEnabled out.") }
                & systemctl $verb $unit 2>&1 | ForEach-Object { Write-Trace info "systemctl: $_" }
                if ($LASTEXITCODE -ne 0) { throw [DscSystemdException]::new("systemctl $verb $unit failed with exit code $LASTEXITCODE.") }
            }.GetNewClosure()
        }
    }

    [pscustomobject]@{ State = $state; Changes = $changes }
}

function Protect-State([System.Collections.IDictionary] $State) {
    if ($State.keepalived -is [System.Collections.IDictionary] -and $State.keepalived.Contains('authenticationPassword')) {
        $copy = [ordered]@{} + $State.keepalived
        $copy.authenticationPassword = $RedactedPassword
        $State.keepalived = $copy
    }
    $State
}

function Invoke-Export($Filter) {
    $directory = if ($Filter -and $Filter.Contains('monitorConfigurationPath')) { Split-Path -Parent $Filter.monitorConfigurationPath } else { $DefaultMonitorDirectory }
    foreach ($file in Get-ChildItem -LiteralPath $directory -Filter '*.psd1' -File -ErrorAction Ignore | Sort-Object Name) {
        $name = $file.BaseName
        if ($name -cnotmatch '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$') { continue }
        Write-Result ([ordered]@{
                name                     = $name
                monitorConfigurationPath = $file.FullName
                monitor                  = Read-MonitorSettings $file.FullName
                monitorServiceEnabled    = Get-ServiceEnabled $name
            })
    }
}

try {
    Import-Module (Join-Path $PSScriptRoot 'KdcHa.psd1') -ErrorAction Stop
    $instance = Read-Instance
    if ($Operation -eq 'export') {
        Invoke-Export $instance
        exit $ExitCode.Success
    }

    $desired = Resolve-Instance $instance
    $node = Compare-Node $desired
    $differing = @($node.Changes.Keys)
    switch ($Operation) {
        'get' {
            Write-Result (Protect-State $node.State)
        }
        'test' {
            $node.State._inDesiredState = $differing.Count -eq 0
            Write-Result (Protect-State $node.State)
            Write-Result $differing
        }
        'whatIf' {
            $projected = [ordered]@{} + $node.State
            foreach ($property in $differing) { $projected[$property] = $desired[$property] }
            $projected._metadata = @{ whatIf = @($differing | ForEach-Object { "Would $($node.Changes[$_].Action)." }) }
            Write-Result (Protect-State $projected)
            Write-Result $differing
        }
        'set' {
            # Enablement first: on a host without systemd it refuses before any file changes.
            foreach ($property in @($differing | Sort-Object { $_ -ne 'monitorServiceEnabled' })) {
                Write-Trace info "set: $($node.Changes[$property].Action)."
                & $node.Changes[$property].Apply
            }
            if ($differing.Count -eq 0) { Write-Trace info "$($desired.name) is in the desired state; nothing changed." }
            Write-Result (Protect-State (Compare-Node $desired).State)
            Write-Result $differing
        }
    }
    exit $ExitCode.Success
}
catch {
    $failure = Get-InnermostException $_.Exception
    $code = switch ($failure) {
        { $_ -is [DscInputException] } { $ExitCode.InvalidInput; break }
        { $_ -is [DscSystemdException] } { $ExitCode.NeedsSystemd; break }
        { $_ -is [System.IO.IOException] -or $_ -is [System.UnauthorizedAccessException] } { $ExitCode.FileError; break }
        default { $ExitCode.Error }
    }
    $message = if ($code -eq $ExitCode.Error) { "$($failure.GetType().Name): $($failure.Message)" } else { $failure.Message }
    Write-Trace error $message
    exit $code
}
