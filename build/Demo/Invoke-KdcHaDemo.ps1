#Requires -Version 7.4
<#
.SYNOPSIS
The main job, end to end: two KDC nodes with real MIT krb5kdc and keepalived (configured by
New-KdcHaKeepalivedConfig), Start-KdcHaMonitor on both with a local webhook receiver as notification channel, a
client running kinit against the VIP, faults injected in turn, the same faults under the seed vrrp_script design,
and a report with a timeline chart under -OutputPath. Needs root; Ctrl+C tears the lab down.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $OutputPath = (Join-Path $PSScriptRoot '../../out/demo'),
    [ValidateSet('Hang', 'Kill', 'Switchover', 'MonitorKill')] [string[]] $Scenario = @('Hang', 'Kill', 'Switchover', 'MonitorKill'),
    [switch] $SkipSeed
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
Import-Module "$PSScriptRoot/../../tests/Lab/KdcHaLab.psd1" -Force
Import-Module "$PSScriptRoot/TimelineChart.psm1" -Force
Import-Module "$PSScriptRoot/DemoReport.psm1" -Force
if (-not ('NotificationReceiver' -as [type])) {
    Add-Type -Path "$PSScriptRoot/../../tests/Lab/NotificationReceiver.cs"
}

$Instance = 'KDC_VIP'
$Priorities = @{ kdc1 = 200; kdc2 = 100 }
$SettleSec = 3
$Labels = @{
    Hang        = 'KDC hung (SIGSTOP) on the VIP holder, then SIGCONT'
    Kill        = 'KDC killed (SIGKILL) on the VIP holder, then restarted'
    Switchover  = 'Planned Move-KdcVip, then Move-KdcVip -Restore'
    MonitorKill = 'Monitor killed (SIGKILL) on the VIP holder, then restarted'
}

function Write-Line([string] $Text) {
    Write-Host ('[{0:HH:mm:ss}] {1}' -f (Get-Date), $Text)
}

# One status line, refreshed while the demo waits: who holds the VIP, each monitor's verdict on its own KDC, and
# how the client is doing.
function Show-DemoStatus([string] $Activity) {
    $holders = @(Get-KdcHaLabVipHolder -Lab $lab)
    $health = foreach ($node in $lab.Kdcs) {
        $statusFile = Join-Path (Get-KdcHaLabMonitorStateDirectory -Lab $lab -Node $node) 'status.json'
        $local = try { (Get-Content -Raw $statusFile | ConvertFrom-Json).Kdcs | Where-Object IsLocal } catch { $null }
        '{0} {1}' -f $node.Name, $(if ($local) { $local.State } else { 'no monitor' })
    }
    $attempts = @(Get-KdcHaLabClientLoadRecord -Lab $lab)
    $succeeded = @($attempts | Where-Object ExitCode -EQ 0).Count
    $status = 'VIP on {0} | {1} | kinit {2}/{3} ok' -f $(if ($holders) { $holders -join '+' } else { 'nobody' }), ($health -join ', '), $succeeded, $attempts.Count
    Write-Progress -Id 1 -Activity $Activity -Status $status
}

# Move-KdcVip runs where an admin would run it: on the node, in its namespace, in a fresh non-interactive pwsh.
function Invoke-NodeCmdlet([string] $Node, [string] $Command) {
    $script = "`$ErrorActionPreference = 'Stop'; Import-Module `$env:KDCHA_DEMO_MODULE; $Command"
    $result = Invoke-KdcHaLabCommand -Lab $lab -Node $Node -FilePath ([Environment]::ProcessPath) `
        -ArgumentList "$PSHOME/pwsh.dll", '-NoProfile', '-NonInteractive', '-Command', $script -Environment @{ KDCHA_DEMO_MODULE = $ModulePath } -AllowFailure
    if ($result.ExitCode -ne 0) { throw "On ${Node}: $Command failed: $($result.StdErr)$($result.StdOut)" }
}

function New-DemoEvent([string] $Action) {
    [pscustomobject]@{ Action = $Action; MonoMs = Get-KdcHaLabMonotonicMs; Utc = [DateTime]::UtcNow }
}

function Invoke-Fault([string] $Name) {
    $kdc1 = $lab.Kdcs[0]
    switch ($Name) {
        'Hang' { Suspend-KdcHaLabKdc -Lab $lab -Node kdc1 }
        'Kill' { Stop-KdcHaLabKdc -Lab $lab -Node kdc1 -Signal KILL }
        'Switchover' {
            $event = New-DemoEvent 'MoveKdcVip'
            Invoke-NodeCmdlet kdc1 "Move-KdcVip -Instance $Instance -ConfigPath '$($kdc1.KeepalivedConfig)' -Realm $($lab.Realm) -Confirm:`$false | Out-Null"
            $event
        }
        'MonitorKill' { Stop-KdcHaLabMonitor -Lab $lab -Node kdc1 -Signal KILL }
    }
}

function Invoke-Recovery([string] $Name) {
    $kdc1 = $lab.Kdcs[0]
    switch ($Name) {
        'Hang' { Resume-KdcHaLabKdc -Lab $lab -Node kdc1 }
        'Kill' { Start-KdcHaLabKdc -Lab $lab -Node kdc1 }
        'Switchover' {
            $event = New-DemoEvent 'RestoreKdcVip'
            Invoke-NodeCmdlet kdc1 "Move-KdcVip -Instance $Instance -ConfigPath '$($kdc1.KeepalivedConfig)' -Realm $($lab.Realm) -Restore -Confirm:`$false | Out-Null"
            $event
        }
        'MonitorKill' { Start-KdcHaLabMonitor -Lab $lab -Node kdc1 -ModulePath $ModulePath -Parameter $monitorParameters }
    }
}

function ConvertTo-MonoMs([DateTime] $Utc) {
    $clockOffsetMs + ($Utc.ToUniversalTime() - [DateTime]::UnixEpoch).TotalMilliseconds
}

New-Item -ItemType Directory -Force -Path $OutputPath | Out-Null
$OutputPath = (Resolve-Path -LiteralPath $OutputPath).Path
$lab = $null
$receiver = $null
try {
    Write-Line 'Bringing up the lab: 2 KDC nodes (MIT krb5kdc), 1 client, keepalived from New-KdcHaKeepalivedConfig'
    $lab = New-KdcHaLab -KdcCount 2 -ClientCount 1
    $clockOffsetMs = (Get-KdcHaLabMonotonicMs) - ([DateTime]::UtcNow - [DateTime]::UnixEpoch).TotalMilliseconds

    # The monitors run in the node namespaces and reach the receiver through the lab bridge.
    $receiver = [NotificationReceiver]::new($lab.BridgeAddress, 0)
    $receiver.Start()
    $notificationConfig = Join-Path $lab.Directory 'notification.json'
    $env:KDCHA_DEMO_WEBHOOK = "http://$($lab.BridgeAddress):$($receiver.Port)/kdcha"
    Import-Module $ModulePath
    $null = New-KdcHaNotificationChannel -Name demo -Type Webhook -Url env:KDCHA_DEMO_WEBHOOK -Register -ConfigurationPath $notificationConfig -Confirm:$false
    $monitorParameters = @{ NotificationChannel = 'demo'; NotificationConfigurationPath = $notificationConfig }

    foreach ($node in $lab.Kdcs) {
        $config = New-KdcHaLabMonitorKeepalivedConfig -Lab $lab -Node $node -ModulePath $ModulePath -Priority $Priorities[$node.Name] -Parameter @{ InstanceName = $Instance }
        $null = Start-KdcHaLabKeepalived -Lab $lab -Node $node -ConfigText $config
        $null = Start-KdcHaLabMonitor -Lab $lab -Node $node -ModulePath $ModulePath -Parameter $monitorParameters
    }
    Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $ModulePath
    $null = Start-KdcHaLabVipWatcher -Lab $lab
    $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 5
    $start = Get-KdcHaLabMonotonicMs
    Write-Line "Lab $($lab.Id) up: VIP $($lab.Vip) on kdc1; monitors on both nodes; client kinit at 5/s"

    $markers = [Collections.Generic.List[object]]::new()
    $steps = [Collections.Generic.List[object]]::new()
    foreach ($name in $Scenario) {
        Show-DemoStatus $Labels[$name]
        Start-Sleep -Seconds $SettleSec
        $fault = Invoke-Fault $name
        $markers.Add([pscustomobject]@{ MonoMs = $fault.MonoMs; Label = $name })
        $moved = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $fault.MonoMs -TimeoutSec 20 -WhileWaiting { Show-DemoStatus $Labels[$name] }
        Write-Line ('{0}: VIP kdc1 -> kdc2 after {1:N3} s' -f $name, (($moved.MonoMs - $fault.MonoMs) / 1000))
        Start-Sleep -Seconds $SettleSec
        $recover = Invoke-Recovery $name
        $markers.Add([pscustomobject]@{ MonoMs = $recover.MonoMs; Label = "$name ends" })
        $back = Wait-KdcHaLabVipMove -Lab $lab -Node kdc1 -SinceMonoMs $recover.MonoMs -TimeoutSec 30 -WhileWaiting { Show-DemoStatus $Labels[$name] }
        Write-Line ('{0}: recovered, VIP back on kdc1 after {1:N2} s' -f $name, (($back.MonoMs - $recover.MonoMs) / 1000))
        $steps.Add([pscustomobject]@{ Scenario = $name; FaultMs = $fault.MonoMs; MovedMs = $moved.MonoMs; RecoverMs = $recover.MonoMs; BackMs = $back.MonoMs })
    }
    Start-Sleep -Seconds $SettleSec
    Write-Progress -Id 1 -Activity 'KdcHa demo' -Completed
    $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab)
    $end = Get-KdcHaLabMonotonicMs
    $transitions = @(Stop-KdcHaLabVipWatcher -Lab $lab)
    $alerts = @($receiver.Requests | ForEach-Object { [pscustomobject]@{ MonoMs = ConvertTo-MonoMs ([DateTime]::Parse($_[3], $null, 'RoundtripKind')); Body = $_[2] } })
    $health = @(foreach ($node in $lab.Kdcs) {
            [pscustomobject]@{ MonoMs = $start; Node = $node.Name; Healthy = $true }
            Get-KdcHaLabMonitorEvent -Lab $lab -Node $node | Where-Object { $_.Class -eq 'HealthChangedEvent' -and $_.IsLocal } |
                ForEach-Object { [pscustomobject]@{ MonoMs = ConvertTo-MonoMs $_.Timestamp; Node = $node.Name; Healthy = $_.State -eq 'Up' } }
        })
}
finally {
    Write-Progress -Id 1 -Activity 'KdcHa demo' -Completed
    if ($receiver) { $receiver.Dispose() }
    Remove-KdcHaLab -Lab $lab
}

$kdcha = for ($index = 0; $index -lt $steps.Count; $index++) {
    $step = $steps[$index]
    $windowEnd = if ($index + 1 -lt $steps.Count) { $steps[$index + 1].FaultMs } else { $end }
    Measure-KdcHaDemoScenario -Scenario $step.Scenario -FaultMs $step.FaultMs -MovedMs $step.MovedMs -RecoverMs $step.RecoverMs -BackMs $step.BackMs `
        -WindowEndMs $windowEnd -Attempts $attempts -Alerts $alerts
}

$seed = @()
if (-not $SkipSeed -and ($Scenario -contains 'Hang' -or $Scenario -contains 'Kill')) {
    Write-Line 'The same faults under the seed design (vrrp_script kinit every 5 s); this takes about a minute'
    $seedNames = @{ hung = 'Hang'; killed = 'Kill' }
    $seed = @(& "$PSScriptRoot/../../tests/Bench/Baseline.Bench.ps1" -Runs 1 -PassThru | ForEach-Object {
            [pscustomobject]@{ Scenario = $seedNames[$_.Scenario]; FailoverSec = $_.FailoverSec; Attempts = $_.Attempts; FailedAttempts = $_.FailedAttempts; SlowestSec = $_.LongestKinitSec }
        })
}

$timeline = [pscustomobject]@{
    Title = "KdcHa demo: $($Scenario -join ', ')"; StartMs = $start; EndMs = $end; Nodes = @($lab.Kdcs.Name)
    VipHolders = @($transitions | ForEach-Object { [pscustomobject]@{ MonoMs = $_.MonoMs; Holders = @($_.Holders) } })
    Health = $health; Attempts = $attempts; Markers = $markers
}
$svgPath = Join-Path $OutputPath 'timeline.svg'
Set-Content -LiteralPath $svgPath -Value (ConvertTo-KdcHaTimelineSvg -Timeline $timeline)
$png = ConvertTo-KdcHaTimelinePng -SvgPath $svgPath
$machine = '{0:yyyy-MM-dd HH:mm} UTC, {1} ({2} cores, {3})' -f [DateTime]::UtcNow, [Environment]::MachineName, [Environment]::ProcessorCount, (uname -r)
$report = ConvertTo-KdcHaDemoMarkdown -KdcHa $kdcha -Seed $seed -Labels $Labels -Machine $machine -ChartFile $(if ($png) { 'timeline.png' } else { 'timeline.svg' })
Set-Content -LiteralPath (Join-Path $OutputPath 'report.md') -Value $report
[pscustomobject]@{ Scenarios = $kdcha; Seed = $seed; Steps = $steps; Attempts = $attempts; Transitions = $transitions; Alerts = $alerts; Markers = $markers } |
    ConvertTo-Json -Depth 5 | Set-Content -LiteralPath (Join-Path $OutputPath 'events.json')
Write-Line "Report: $(Join-Path $OutputPath 'report.md') (chart: $svgPath)"
$report
