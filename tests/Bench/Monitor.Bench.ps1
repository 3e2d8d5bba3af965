#Requires -Version 7.4
<#
.SYNOPSIS
Failover with the KdcHa monitor (Start-KdcHaMonitor on both nodes, keepalived configured by
New-KdcHaKeepalivedConfig) against the seed vrrp_script design (tests/Bench/Baseline.Bench.ps1), in the same
run, with real keepalived and MIT krb5kdc in the KdcHa lab; then the monitor's idle cost over a soak. Writes
one markdown section to the pipeline; progress goes to the host. Needs root.

-Scenario runs only the failovers of those scenarios (hung, killed): no seed design, no idle soak, and only their
rows, with the seed columns left empty; for re-measuring one row of the table.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [ValidateRange(1, 50)][int]$Runs = 10,
    [ValidateRange(1, 50)][int]$SeedRuns = 1,
    [ValidateRange(0.1, 120)][double]$SoakMinutes = 10,
    [ValidateRange(0.1, 60)][double]$BaselineCpuMinutes = 2,
    # Idle time before the soak window: .NET settles (tiered JIT, thread pool, GC budgets) in the first minutes.
    [ValidateRange(0, 60)][double]$WarmupMinutes = 5,
    [ValidateSet('hung', 'killed')][string[]]$Scenario
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
Import-Module "$PSScriptRoot/BenchStatistics.psm1" -Force
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path

$Priorities = @{ kdc1 = 200; kdc2 = 100 }
$ClientRate = 5
# After the VIP moves, keep the load running so attempts stalled by the fault finish and count.
$AfterFailoverSec = 2

function Measure-MonitorScenario {
    param($Lab, [string]$Scenario, [int]$Run)
    Restore-KdcHaLabMonitoredPair -Lab $Lab -ModulePath $ModulePath
    # The fault lands at a random phase of the 200 ms probe interval.
    $lead = 1 + (Get-Random -Minimum 0.0 -Maximum 0.2)
    $result = Measure-KdcHaLabFailover -Lab $Lab -Scenario $Scenario -ClientRate $ClientRate -LeadSeconds $lead -AfterSeconds $AfterFailoverSec |
        Add-Member -NotePropertyName Run -NotePropertyValue $Run -PassThru
    Write-Host ("  monitor {0} run {1}: failover {2:n3} s, {3}/{4} kinit failed, longest kinit {5:n2} s" -f $Scenario, $Run, $result.FailoverSec, $result.FailedAttempts, $result.Attempts, $result.LongestKinitSec)
    $result
}

function Get-ProcessUsage {
    # CPU seconds (utime + stime) and resident set of one process, from /proc.
    param([int]$ProcessId)
    $rssKb = [long](([IO.File]::ReadAllLines("/proc/$ProcessId/status") | Where-Object { $_ -like 'VmRSS:*' }) -replace '\D', '')
    [pscustomobject]@{ CpuSec = (Get-ProcessCpuMilliseconds $ProcessId) / 1000; RssMb = $rssKb / 1024; At = [Diagnostics.Stopwatch]::GetTimestamp() }
}

function Get-CpuPercent {
    # Percent of one core the process used between two Get-ProcessUsage samples.
    param($First, $Last)
    100 * ($Last.CpuSec - $First.CpuSec) / (($Last.At - $First.At) / [Diagnostics.Stopwatch]::Frequency)
}

function Measure-IdleCost {
    param($Lab)
    Restore-KdcHaLabMonitoredPair -Lab $Lab -ModulePath $ModulePath
    $monitorPid = (Get-KdcHaLabProcess -Lab $Lab | Where-Object Key -EQ 'kdc1.monitor').Pid
    $warmupStart = Get-ProcessUsage $monitorPid
    Start-Sleep -Seconds ($WarmupMinutes * 60)
    $samples = [Collections.Generic.List[object]]::new()
    $samples.Add((Get-ProcessUsage $monitorPid))
    $end = [DateTime]::UtcNow.AddMinutes($SoakMinutes)
    while ([DateTime]::UtcNow -lt $end) {
        Start-Sleep -Seconds ([math]::Min(10, [math]::Max(1, ($end - [DateTime]::UtcNow).TotalSeconds)))
        $samples.Add((Get-ProcessUsage $monitorPid))
    }
    $series = ($samples | ForEach-Object { '{0:n1}' -f $_.RssMb }) -join ' '
    Write-Host "  RSS (MB) every 10 s: $series"
    $first = $samples[0]; $last = $samples[$samples.Count - 1]
    $elapsedSec = ($last.At - $first.At) / [Diagnostics.Stopwatch]::Frequency
    # Growth: the second half of the soak against the first, so start-up allocation does not count as a leak.
    $half = [math]::Floor($samples.Count / 2)
    [pscustomobject]@{
        CpuPercent    = Get-CpuPercent $first $last
        WarmupRssStartMb = $warmupStart.RssMb
        RssSeries     = $series
        RssStartMb    = $first.RssMb
        RssEndMb      = $last.RssMb
        RssFirstHalfMaxMb = ($samples | Select-Object -First ([math]::Max(1, $half)) | Measure-Object RssMb -Maximum).Maximum
        RssSecondHalfMaxMb = ($samples | Select-Object -Skip $half | Measure-Object RssMb -Maximum).Maximum
        Minutes       = $elapsedSec / 60
    }
}

function Measure-IdleCpuWithoutServiceEnvironment {
    # The same monitor restarted without the shipped unit's Environment= lines: the baseline for what they save.
    param($Lab)
    $null = Stop-KdcHaLabMonitor -Lab $Lab -Node kdc1
    $null = Start-KdcHaLabMonitor -Lab $Lab -Node kdc1 -ModulePath $ModulePath -WithoutServiceEnvironment
    Restore-KdcHaLabMonitoredPair -Lab $Lab -ModulePath $ModulePath
    $monitorPid = (Get-KdcHaLabProcess -Lab $Lab | Where-Object { $_.Key -eq 'kdc1.monitor' -and $_.Alive }).Pid
    # Start-up (module import, JIT) is not idle cost.
    Start-Sleep -Seconds 30
    $first = Get-ProcessUsage $monitorPid
    Start-Sleep -Seconds ($BaselineCpuMinutes * 60)
    Get-CpuPercent $first (Get-ProcessUsage $monitorPid)
}

function Format-Range([double[]]$Values) {
    '{0:n3} ({1:n3}–{2:n3})' -f (Get-Median $Values), ($Values | Measure-Object -Minimum).Minimum, ($Values | Measure-Object -Maximum).Maximum
}

$only = [bool]$Scenario
$selected = if ($only) { @($Scenario) } else { @('hung', 'killed') }
# Not $seed: Baseline.Bench.ps1 reads the seed settings as $Seed, which a variable of that name here would hide.
$seedResults = @()
if (-not $only) {
    Write-Host "Seed design ($SeedRuns run(s) per scenario):"
    $seedResults = @(& "$PSScriptRoot/Baseline.Bench.ps1" -Runs $SeedRuns -PassThru)
}

$lab = $null
try {
    $lab = New-KdcHaLab -KdcCount 2 -ClientCount 1
    Write-Host "KdcHa monitor: lab $($lab.Id)"
    foreach ($node in 'kdc1', 'kdc2') {
        $config = New-KdcHaLabMonitorKeepalivedConfig -Lab $lab -Node $node -ModulePath $ModulePath -Priority $Priorities[$node]
        $null = Start-KdcHaLabKeepalived -Lab $lab -Node $node -ConfigText $config
    }
    $null = Start-KdcHaLabVipWatcher -Lab $lab
    $results = foreach ($run in 1..$Runs) {
        foreach ($scenario in $selected) { Measure-MonitorScenario -Lab $lab -Scenario $scenario -Run $run }
    }
    if (-not $only) {
        Write-Host "Idle cost: $WarmupMinutes min warm-up, then soaking $SoakMinutes min"
        $idle = Measure-IdleCost -Lab $lab
        Write-Host "Idle CPU without the unit's Environment= settings: $BaselineCpuMinutes min"
        $idleWithoutEnvironment = Measure-IdleCpuWithoutServiceEnvironment -Lab $lab
    }
} finally {
    Remove-KdcHaLab -Lab $lab
}

$labels = [ordered]@{ hung = 'Hung KDC (SIGSTOP) on the VIP holder'; killed = 'Killed KDC (SIGKILL) on the VIP holder' }
$targets = @{ hung = 0.5; killed = 0.3 }
$lines = @(
    '## Failover: KdcHa monitor vs seed design'
    ''
    "| Scenario | KdcHa failover (s, median (min–max) of $Runs) | Worst (s) | Target | Seed failover (s, median of $SeedRuns) | Speed-up | KdcHa failed kinit (worst run) | KdcHa longest kinit (s) | Seed failed kinit | Seed longest kinit (s) |"
    '|---|---|---|---|---|---|---|---|---|---|'
)
foreach ($s in @($labels.Keys | Where-Object { $_ -in $selected })) {
    $r = @($results | Where-Object Scenario -EQ $s)
    $median = Get-Median $r.FailoverSec
    $worst = ($r.FailoverSec | Measure-Object -Maximum).Maximum
    $met = if ($median -lt $targets[$s] -and $worst -lt 1) { 'met' } else { '**not met**' }
    $kdcHa = '| {0} | {1} | {2:n3} | median < {3} s, worst < 1 s: {4} |' -f $labels[$s], (Format-Range $r.FailoverSec), $worst, $targets[$s], $met
    $kinit = ' {0} | {1:n2} |' -f ($r.FailedAttempts | Measure-Object -Maximum).Maximum, ($r.LongestKinitSec | Measure-Object -Maximum).Maximum
    if ($only) {
        $lines += $kdcHa + ' — | — |' + $kinit + ' — | — |'
        continue
    }
    $sd = @($seedResults | Where-Object Scenario -EQ $s)
    $seedMedian = Get-Median $sd.FailoverSec
    $lines += $kdcHa + (' {0:n2} | {1:n0}× |' -f $seedMedian, ($seedMedian / $median)) + $kinit + (' {0} | {1:n2} |' -f (Get-Median $sd.FailedAttempts), (Get-Median $sd.LongestKinitSec))
}
if ($only) {
    $lines += ''
    $lines += "Only $($selected -join ', ') ($Runs runs), by tests/Bench/Monitor.Bench.ps1 -Scenario $($selected -join ','): no seed design and no idle soak in this run."
    return $lines -join "`n"
}
$lines += ''
$rssSteady = ($idle.RssEndMb - $idle.RssStartMb -le 1) -and ($idle.RssSecondHalfMaxMb - $idle.RssFirstHalfMaxMb -le 1)
$lines += ('Idle cost of one monitor at the default 200 ms interval (two KDCs probed, Authenticated level) over a {0:n1}-minute soak that began after ' +
    '{8:n1} minutes of idle warm-up (RSS {9:n1} MB when the warm-up began): {1:n2} % of one core; RSS {2:n1} MB at the start of the soak, {3:n1} MB at the end ' +
    '(peak {4:n1} MB in the first half, {5:n1} MB in the second). Target: under 2 % — {6}; no growth (end within 1 MB of the start, and second-half peak ' +
    'within 1 MB of the first) — {7}.') -f
    $idle.Minutes, $idle.CpuPercent, $idle.RssStartMb, $idle.RssEndMb, $idle.RssFirstHalfMaxMb, $idle.RssSecondHalfMaxMb,
    $(if ($idle.CpuPercent -lt 2) { 'met' } else { '**not met**' }), $(if ($rssSteady) { 'met' } else { '**not met**' }), $WarmupMinutes, $idle.WarmupRssStartMb
$lines += ''
$lines += "RSS of that monitor every 10 s through the soak (MB): $($idle.RssSeries)."
$lines += ''
$lines += ("The monitors run as the shipped unit build/systemd/kdcha-monitor@.service runs them, with its Environment= settings " +
    "(DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0: idle thread-pool threads sleep at once instead of spinning on sched_yield; " +
    "MALLOC_ARENA_MAX=2: glibc keeps two malloc arenas instead of one per contending thread, up to 8 per core). " +
    "Baseline in the same run: the same monitor restarted without them used {0:n2} % of one core over {1:n1} minutes.") -f $idleWithoutEnvironment, $BaselineCpuMinutes
$lines += ''
$lines += ("Measured by tests/Bench/Monitor.Bench.ps1 in the KdcHa namespace lab: two KDC nodes (priorities 200/100), keepalived from " +
    "New-KdcHaKeepalivedConfig (VRRPv3, advert_int 0.1, weight-0 fault file, heartbeat check), Start-KdcHaMonitor with defaults " +
    "(interval 200 ms, timeout 100 ms, fall 2, rise 3) in each node's namespace, probing both KDCs with the node's health keytab. " +
    "Failover = from the fault until the other node alone holds the VIP (netlink watcher, monotonic clock); the fault lands at a random phase " +
    "of the probe interval. A client namespace ran real kinit (password, default MIT timeouts, krb5.conf listing only the VIP) at {0}/s from about 1 s " +
    "before the fault until {1} s after the move. The seed figures come from tests/Bench/Baseline.Bench.ps1 run by this script in the same run " +
    "(vrrp_script kinit every 5 s, weight -50, VRRPv2 advert_int 1). Speed-up = seed median / KdcHa median.") -f $ClientRate, $AfterFailoverSec
$lines -join "`n"
