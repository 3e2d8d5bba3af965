# Test-KdcHealth against real MIT krb5kdc in the lab: the in-process Authenticated probe versus the `kinit -kt`
# process the seed design runs (same KDC, same keytab, same run), and the cost of probing 8 KDCs at once, with and
# without one of them hung. Targets: at least 5x faster than kinit; 8 results within 3x one probe's latency.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 200,
    [int] $KinitRuns = 50,
    [int] $ConcurrentRuns = 30
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot '../Lab/KdcHaLab.psd1')
Import-Module (Join-Path $PSScriptRoot 'BenchStatistics.psm1')

function Measure-Each([int] $Count, [scriptblock] $Action) {
    foreach ($run in 1..$Count) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = & $Action
        $clock.Elapsed.TotalMilliseconds
    }
}

# Results stream out of Test-KdcHealth as each probe completes; record when each one reaches the pipeline.
function Measure-Arrival([string[]] $Kdc, [hashtable] $Probe, [int] $TimeoutMilliseconds) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Test-KdcHealth -Kdc $Kdc @Probe -TimeoutMilliseconds $TimeoutMilliseconds |
        ForEach-Object { [pscustomobject]@{ Kdc = $_.Kdc; Status = $_.Status; ArrivedMs = $clock.Elapsed.TotalMilliseconds } }
}

function Measure-Concurrency([string[]] $Kdc, [hashtable] $Probe, [string] $Level) {
    $single = Get-Median @(Measure-Each $Runs { Test-KdcHealth -Kdc $Kdc[0] @Probe })
    $null = Measure-Arrival -Kdc $Kdc -Probe $Probe -TimeoutMilliseconds 1000
    $lastArrivals = @(1..$ConcurrentRuns | ForEach-Object {
            $arrivals = @(Measure-Arrival -Kdc $Kdc -Probe $Probe -TimeoutMilliseconds 1000)
            if (@($arrivals | Where-Object Status -NE 'Healthy').Count) { throw "A KDC of the eight was not Healthy ($Level)." }
            ($arrivals | Measure-Object ArrivedMs -Maximum).Maximum
        })
    [pscustomobject]@{ Level = $Level; Single = $single; AllEight = Get-Median $lastArrivals }
}

$lab = $null
try {
    $lab = New-KdcHaLab -KdcCount 1 -ClientCount 0
    $node = $lab.Kdcs[0]
    $keytab = $node.HealthKeytab
    $principal = "$($node.HealthPrincipal)@$($lab.Realm)"

    Write-Host 'Warming up the in-process probe'
    $null = Measure-Each 20 { Test-KdcHealth -Kdc $node.Address -Keytab $keytab }
    $self = [Diagnostics.Process]::GetCurrentProcess()
    $cpuBefore = $self.TotalProcessorTime
    $probe = @(Measure-Each $Runs { Test-KdcHealth -Kdc $node.Address -Keytab $keytab -ErrorAction Stop })
    $self.Refresh()
    $probeCpuMs = ($self.TotalProcessorTime - $cpuBefore).TotalMilliseconds / $Runs
    $failedProbes = @(1..20 | ForEach-Object { Test-KdcHealth -Kdc $node.Address -Keytab $keytab } | Where-Object { -not $_.IsHealthy }).Count
    if ($failedProbes) { throw "$failedProbes of 20 check probes were not Healthy." }

    Write-Host 'Timing kinit -kt'
    $cache = Join-Path $lab.Directory 'bench.ccache'
    $env:KRB5_CONFIG = $node.Krb5Conf
    $kinit = @(Measure-Each $KinitRuns { kinit -kt $keytab -c "FILE:$cache" $principal; if ($LASTEXITCODE) { throw "kinit failed: $LASTEXITCODE" } })
    # CPU of kinit processes: bash's `times` reports its children's user and system time.
    $childTimes = bash -c "for i in `$(seq $KinitRuns); do kinit -kt '$keytab' -c 'FILE:$cache' '$principal' || exit 1; done; times" | Select-Object -Last 1
    $kinitCpuMs = (($childTimes -split '\s+') | ForEach-Object { if ($_ -match '^(\d+)m([\d.]+)s$') { [double]$Matches[1] * 60000 + [double]$Matches[2] * 1000 } } | Measure-Object -Sum).Sum / $KinitRuns
    Remove-Item Env:KRB5_CONFIG

    Write-Host 'Eight KDC processes, one database'
    $ports = @(88) + (1..7 | ForEach-Object { 1080 + $_ })
    foreach ($port in $ports | Select-Object -Skip 1) { $null = Start-KdcHaLabKdc -Lab $lab -Node $node -Port $port }
    $kdcs = $ports | ForEach-Object { "$($node.Address):$_" }
    $authenticated = @{ Keytab = $keytab }
    $concurrency = @(
        Measure-Concurrency -Kdc $kdcs -Probe @{ Realm = $lab.Realm } -Level 'Reachable'
        Measure-Concurrency -Kdc $kdcs -Probe $authenticated -Level 'Authenticated'
    )

    $hungTimeout = 1000
    $null = Suspend-KdcHaLabKdc -Lab $lab -Node $node -Port $ports[-1]
    $withHung = @(1..10 | ForEach-Object {
            $arrivals = @(Measure-Arrival -Kdc $kdcs -Probe $authenticated -TimeoutMilliseconds $hungTimeout)
            $hung = $arrivals | Where-Object Kdc -EQ $kdcs[-1]
            $others = $arrivals | Where-Object Kdc -NE $kdcs[-1]
            if ($hung.Status -ne 'Timeout' -or @($others | Where-Object Status -NE 'Healthy').Count) { throw 'Unexpected statuses with one KDC hung.' }
            [pscustomobject]@{ Others = ($others | Measure-Object ArrivedMs -Maximum).Maximum; Hung = $hung.ArrivedMs }
        })
    $null = Resume-KdcHaLabKdc -Lab $lab -Node $node -Port $ports[-1]
}
finally {
    Remove-KdcHaLab -Lab $lab
}

$probeMedian = Get-Median $probe
$kinitMedian = Get-Median $kinit
$othersMedian = Get-Median $withHung.Others
$hungMedian = Get-Median $withHung.Hung
$verdict = { param([bool] $Met) if ($Met) { 'met' } else { '**not met**' } }

@"
## Test-KdcHealth: managed AS exchange versus kinit

One lab KDC node (real MIT krb5kdc 1.20 in a network namespace, reached through the lab bridge), its health
principal's keytab (aes256-cts-hmac-sha1-96), Authenticated level (PA-ENC-TIMESTAMP, AS-REP decrypted, nonce
checked: the same work as ``kinit -kt``). Wall time per call with a Stopwatch; probe CPU is this pwsh process's CPU
time over $Runs calls, kinit CPU is the children's user+system time reported by bash ``times`` over $KinitRuns runs.

| Probe | Median wall | CPU per probe | Runs |
|---|---|---|---|
| ``Test-KdcHealth -Keytab`` (in a running pwsh) | $(Format-Milliseconds $probeMedian) | $(Format-Milliseconds $probeCpuMs) | $Runs |
| ``kinit -kt`` (baseline, one process per check) | $(Format-Milliseconds $kinitMedian) | $(Format-Milliseconds $kinitCpuMs) | $KinitRuns |

kinit / Test-KdcHealth: $('{0:N1}' -f ($kinitMedian / $probeMedian))× in wall time, $('{0:N1}' -f ($kinitCpuMs / $probeCpuMs))× in CPU. Target: at least 5× faster — $(& $verdict ($kinitMedian / $probeMedian -ge 5)).

### Eight KDCs at once

Eight krb5kdc processes on one database (ports $($ports -join ', ')), probed by one ``Test-KdcHealth -Kdc <8 addresses>`` call (ThrottleLimit 16); the time is when the last result reached the pipeline, median of $ConcurrentRuns calls, against one probe of the same level measured just before.

| Level | One probe (median) | All eight results (median) | Ratio | Bound: 3 × one probe |
|---|---|---|---|---|
$(($concurrency | ForEach-Object { "| $($_.Level) | $(Format-Milliseconds $_.Single) | $(Format-Milliseconds $_.AllEight) | $('{0:N1}' -f ($_.AllEight / $_.Single))× | $(& $verdict ($_.AllEight -le 3 * $_.Single)) |" }) -join "`n")

With one KDC hung (SIGSTOP), Authenticated, 10 calls: the other seven results arrived after a median of $(Format-Milliseconds $othersMedian) ($('{0:N1}' -f ($othersMedian / $concurrency[1].Single))× one probe: $(& $verdict ($othersMedian -le 3 * $concurrency[1].Single))); the hung KDC's Timeout result arrived at $(Format-Milliseconds $hungMedian) for a $hungTimeout ms timeout ($(& $verdict ([math]::Abs($hungMedian - $hungTimeout) -le 100)) : within 100 ms of it).

An Authenticated exchange makes MIT write the principal's last-success time to its database; the eight processes share one database file, so those writes queue behind its lock whatever the client does. The Reachable row shows the client's own concurrency without that shared cost.
"@
