#Requires -Version 7.4
<#
.SYNOPSIS
The monitor's idle cost with its metrics endpoint on and scraped every second, against the same monitor with the
endpoint off, in the same run and the same KdcHa lab (two KDC nodes, keepalived, a monitor per node, defaults).
kdc1's monitor is measured: first as the lab starts it (no endpoint), then restarted with -MetricsAddress <its
address> while this script fetches /metrics from it every -ScrapeIntervalSeconds. Each phase idles -WarmupMinutes
first (.NET settles: tiered JIT, thread pool, GC budgets), then soaks -SoakMinutes, sampling CPU and RSS from
/proc every 10 s. Writes one markdown section to the pipeline; progress goes to the host. Needs root.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [ValidateRange(0.5, 60)][double]$SoakMinutes = 3,
    [ValidateRange(0, 30)][double]$WarmupMinutes = 1.5,
    [ValidateRange(0.2, 60)][double]$ScrapeIntervalSeconds = 1
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
Import-Module "$PSScriptRoot/BenchStatistics.psm1" -Force
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path

function Get-ProcessUsage([int]$ProcessId) {
    $rssKb = [long](([IO.File]::ReadAllLines("/proc/$ProcessId/status") | Where-Object { $_ -like 'VmRSS:*' }) -replace '\D', '')
    [pscustomobject]@{ CpuSec = (Get-ProcessCpuMilliseconds $ProcessId) / 1000; RssMb = $rssKb / 1024; At = [Diagnostics.Stopwatch]::GetTimestamp() }
}

function Measure-Phase {
    # Warm-up, then the soak; with -Uri, GET it every ScrapeIntervalSeconds throughout (warm-up included).
    param([int]$ProcessId, [string]$Uri)
    $client = [Net.Http.HttpClient]::new()
    $client.Timeout = [TimeSpan]::FromSeconds(5)
    $scrapes = [Collections.Generic.List[double]]::new()
    $failures = 0
    $firstBody = $lastBody = $null
    $samples = [Collections.Generic.List[object]]::new()
    $soakStart = [DateTime]::UtcNow.AddMinutes($WarmupMinutes)
    $end = $soakStart.AddMinutes($SoakMinutes)
    $nextSample = $soakStart
    $tick = [Diagnostics.Stopwatch]::StartNew()
    $next = 0.0
    try {
        while ([DateTime]::UtcNow -lt $end) {
            if ($Uri) {
                $watch = [Diagnostics.Stopwatch]::StartNew()
                try {
                    $response = $client.GetAsync($Uri).GetAwaiter().GetResult()
                    $body = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
                    if ($response.IsSuccessStatusCode) { $scrapes.Add($watch.Elapsed.TotalMilliseconds) } else { $failures++ }
                    if ([DateTime]::UtcNow -ge $soakStart) { $lastBody = $body; if (-not $firstBody) { $firstBody = $body } }
                    $response.Dispose()
                } catch { $failures++ }
            }
            if ([DateTime]::UtcNow -ge $nextSample) {
                $samples.Add((Get-ProcessUsage $ProcessId))
                $nextSample = $nextSample.AddSeconds(10)
            }
            $next += $ScrapeIntervalSeconds
            $wait = $next - $tick.Elapsed.TotalSeconds
            if ($wait -gt 0) { Start-Sleep -Milliseconds ([int]($wait * 1000)) }
        }
        $samples.Add((Get-ProcessUsage $ProcessId))
    } finally {
        $client.Dispose()
    }
    $first = $samples[0]; $last = $samples[$samples.Count - 1]
    $elapsedSec = ($last.At - $first.At) / [Diagnostics.Stopwatch]::Frequency
    $half = [math]::Floor($samples.Count / 2)
    [pscustomobject]@{
        CpuPercent         = 100 * ($last.CpuSec - $first.CpuSec) / $elapsedSec
        Minutes            = $elapsedSec / 60
        RssStartMb         = $first.RssMb
        RssEndMb           = $last.RssMb
        RssFirstHalfMaxMb  = ($samples | Select-Object -First ([math]::Max(1, $half)) | Measure-Object RssMb -Maximum).Maximum
        RssSecondHalfMaxMb = ($samples | Select-Object -Skip $half | Measure-Object RssMb -Maximum).Maximum
        RssSeries          = ($samples | ForEach-Object { '{0:n1}' -f $_.RssMb }) -join ' '
        Scrapes            = $scrapes.Count
        ScrapeFailures     = $failures
        ScrapeMedianMs     = if ($scrapes.Count) { Get-Median $scrapes.ToArray() } else { 0 }
        ScrapeMaxMs        = if ($scrapes.Count) { ($scrapes | Measure-Object -Maximum).Maximum } else { 0 }
        # From the monitor's own process metrics over the soak: garbage made per second, and collections by generation.
        AllocatedKbPerSec  = if ($lastBody) { ((Get-Sample $lastBody 'dotnet_gc_heap_total_allocated_bytes_total') - (Get-Sample $firstBody 'dotnet_gc_heap_total_allocated_bytes_total')) / 1KB / $elapsedSec } else { 0 }
        Collections        = if ($lastBody) { (0..2 | ForEach-Object { $series = "dotnet_collection_count_total{generation=""$_""}"; (Get-Sample $lastBody $series) - (Get-Sample $firstBody $series) }) -join ' / ' } else { '' }
    }
}

function Get-Sample([string]$Text, [string]$Series) {
    $line = $Text -split "`n" | Where-Object { $_.StartsWith("$Series ") } | Select-Object -First 1
    if (-not $line) { throw "No sample $Series in the scrape." }
    [double]$line.Substring($Series.Length + 1)
}

function Get-MonitorPid($Lab) { (Get-KdcHaLabProcess -Lab $Lab | Where-Object { $_.Key -eq 'kdc1.monitor' -and $_.Alive }).Pid }

$lab = $null
try {
    $lab = New-KdcHaLabMonitoredPair -ModulePath $ModulePath -ClientCount 0
    $kdc1 = $lab.Kdcs | Where-Object Name -EQ 'kdc1'
    Write-Host "Endpoint off: $WarmupMinutes min warm-up, $SoakMinutes min soak"
    $off = Measure-Phase -ProcessId (Get-MonitorPid $lab)

    $null = Stop-KdcHaLabMonitor -Lab $lab -Node kdc1
    $null = Start-KdcHaLabMonitor -Lab $lab -Node kdc1 -ModulePath $ModulePath -Parameter @{ MetricsAddress = $kdc1.Address }
    Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $ModulePath
    $uri = "http://$($kdc1.Address):9464/metrics"
    Write-Host "Endpoint on, $uri every $ScrapeIntervalSeconds s: $WarmupMinutes min warm-up, $SoakMinutes min soak"
    $on = Measure-Phase -ProcessId (Get-MonitorPid $lab) -Uri $uri
} finally {
    if ($lab) { Remove-KdcHaLab -Lab $lab }
}

function Test-Flat($Phase) { ($Phase.RssEndMb - $Phase.RssStartMb -le 1) -and ($Phase.RssSecondHalfMaxMb - $Phase.RssFirstHalfMaxMb -le 1) }

$lines = @(
    '## Monitor idle cost with the metrics endpoint scraped'
    ''
    "| Monitor (kdc1) | CPU (% of one core) | RSS start → end (MB) | RSS peak, first half → second half (MB) | Scrapes | Scrape median / max (ms) |"
    '|---|---|---|---|---|---|'
    ('| Endpoint off (baseline) | {0:n2} | {1:n1} → {2:n1} | {3:n1} → {4:n1} | – | – |' -f $off.CpuPercent, $off.RssStartMb, $off.RssEndMb, $off.RssFirstHalfMaxMb, $off.RssSecondHalfMaxMb)
    ('| -MetricsAddress, /metrics every {0} s | {1:n2} | {2:n1} → {3:n1} | {4:n1} → {5:n1} | {6} ({7} failed) | {8:n1} / {9:n1} |' -f $ScrapeIntervalSeconds,
        $on.CpuPercent, $on.RssStartMb, $on.RssEndMb, $on.RssFirstHalfMaxMb, $on.RssSecondHalfMaxMb, $on.Scrapes, $on.ScrapeFailures, $on.ScrapeMedianMs, $on.ScrapeMaxMs)
    ''
    ('Targets with the endpoint on: CPU under 2 % of one core — {0}; flat RSS over the soak (end within 1 MB of the start, second-half peak within 1 MB of the first) — {1}. ' +
        'The endpoint costs {2:n2} percentage points of a core over the baseline.') -f
        $(if ($on.CpuPercent -lt 2) { 'met' } else { '**not met**' }), $(if (Test-Flat $on) { 'met' } else { '**not met**' }), ($on.CpuPercent - $off.CpuPercent)
    ''
    "RSS every 10 s, endpoint off (MB): $($off.RssSeries)."
    ''
    "RSS every 10 s, endpoint on and scraped (MB): $($on.RssSeries)."
    ''
    ('Over the soak with the endpoint on, the monitor allocated {0:n0} KiB/s on the .NET heap (dotnet_gc_heap_total_allocated_bytes_total) and collected ' +
        'generations 0 / 1 / 2 {1} times.') -f $on.AllocatedKbPerSec, $on.Collections
    ''
    ('Measured by tests/Bench/Metrics.Bench.ps1 in the KdcHa namespace lab (New-KdcHaLabMonitoredPair: two KDC nodes, keepalived from New-KdcHaKeepalivedConfig, ' +
        'Start-KdcHaMonitor with defaults and the shipped unit''s Environment= settings). kdc1''s monitor: first as the lab starts it, then restarted with ' +
        '-MetricsAddress <its address> while the bench fetched /metrics over HTTP from the root namespace every {0} s (warm-up included). Each phase idled ' +
        '{1} min before a {2}-minute soak; CPU = utime + stime from /proc over the soak.') -f $ScrapeIntervalSeconds, $WarmupMinutes, $SoakMinutes
)
$lines -join "`n"
