# Test-KdcHealth against real MIT krb5kdc in the lab: the in-process Authenticated probe versus the `kinit -kt`
# process the seed design runs (same KDC, same keytab, same run), and the cost of probing 8 KDCs at once, with and
# without one of them hung: KDCs that write last-success data on every AS exchange (MIT's default) into one shared
# database file, the same KDCs each on its own copy of the database (as KDCs on their own hosts run), and the
# shared file with those writes disabled. Targets: at least 5x faster than kinit; 8 results within 3x one probe's
# latency.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 200,
    [int] $KinitRuns = 50,
    [int] $ConcurrentRuns = 200,
    [int] $HungRuns = 10,
    [int] $CpuRuns = 200,
    [double] $WarmupSeconds = 6
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot '../Lab/KdcHaLab.psd1')
Import-Module (Join-Path $PSScriptRoot 'BenchStatistics.psm1')

function Invoke-Warmup([scriptblock] $Action) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    while ($clock.Elapsed.TotalSeconds -lt $WarmupSeconds) { & $Action }
}

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

# When the last healthy result reached the pipeline. One probe is timed the same way as eight, so both include the
# same cmdlet invocation and the same ForEach-Object per result.
function Measure-LastHealthyArrival([string[]] $Kdc, [hashtable] $Probe, [int] $IdleMilliseconds = 0) {
    if ($IdleMilliseconds) { Start-Sleep -Milliseconds $IdleMilliseconds }
    $arrivals = @(Measure-Arrival -Kdc $Kdc -Probe $Probe -TimeoutMilliseconds 1000)
    if (@($arrivals | Where-Object Status -NE 'Healthy').Count) { throw "A KDC of $($Kdc.Count) was not Healthy." }
    ($arrivals | Measure-Object ArrivedMs -Maximum).Maximum
}

function Measure-Concurrency($Lab, [string[]] $Kdc, [hashtable] $Probe, [string] $Level, [string] $Writes) {
    # Steady state, as in a session or a monitor. .NET optimises a method after about 30 calls, in a background thread
    # that competes for the same 2 cores, and defers that while new code keeps appearing (PowerShell's first calls);
    # the client's CPU per call settles after a few seconds of calls (measured: 2.5 ms per eight-address call in the
    # first thousand, 0.8 ms after). One-address calls alone would leave the eight-address path cold.
    Invoke-Warmup { $null = Test-KdcHealth -Kdc $Kdc @Probe; $null = Test-KdcHealth -Kdc $Kdc[0] @Probe }
    $single = Get-Median @(1..$Runs | ForEach-Object { Measure-LastHealthyArrival -Kdc $Kdc[0] -Probe $Probe })
    $allEight = Get-Median @(1..$ConcurrentRuns | ForEach-Object { Measure-LastHealthyArrival -Kdc $Kdc -Probe $Probe })

    # Where the eight-KDC time goes: the CPU that one eight-address call costs this client (the whole pwsh) and the
    # eight krb5kdc processes, over $CpuRuns calls. Spread over every core, that much work cannot take less wall time
    # than (client + KDCs) / cores, whatever the client's concurrency.
    $kdcPids = @(Get-KdcHaLabProcess -Lab $Lab | Where-Object { $_.Key -like '*.krb5kdc.*' -and $_.Alive } | ForEach-Object Pid)
    $self = [Diagnostics.Process]::GetCurrentProcess()
    $clientBefore = $self.TotalProcessorTime.TotalMilliseconds
    $kdcBefore = Get-ProcessCpuMilliseconds $kdcPids
    foreach ($call in 1..$CpuRuns) { $null = Test-KdcHealth -Kdc $Kdc @Probe }
    $self.Refresh()
    $clientCpu = ($self.TotalProcessorTime.TotalMilliseconds - $clientBefore) / $CpuRuns
    $kdcCpu = ((Get-ProcessCpuMilliseconds $kdcPids) - $kdcBefore) / $CpuRuns
    [pscustomobject]@{
        Level = $Level; Writes = $Writes; Single = $single; AllEight = $allEight
        ClientCpu = $clientCpu; KdcCpu = $kdcCpu; CpuFloor = ($clientCpu + $kdcCpu) / [Environment]::ProcessorCount
    }
}

# Each call with a KDC hung lasts the whole timeout, so every timed call starts after that much idle time, and an
# idle 2-core VM answers its first packets slower (CPUs halted, caches cold). The same idle before healthy calls
# separates that from any cost of the hung KDC itself.
function Measure-HungKdc($Lab, $Node, [string[]] $Kdc, [hashtable] $Probe, [int] $TimeoutMilliseconds, [string] $Writes, [double] $BackToBackSingle) {
    $idleSingle = Get-Median @(1..$HungRuns | ForEach-Object { Measure-LastHealthyArrival -Kdc $Kdc[0] -Probe $Probe -IdleMilliseconds $TimeoutMilliseconds })
    $idleEight = Get-Median @(1..$HungRuns | ForEach-Object { Measure-LastHealthyArrival -Kdc $Kdc -Probe $Probe -IdleMilliseconds $TimeoutMilliseconds })
    $hungKdc = $Kdc[-1] -split ':' | Select-Object -Last 1
    $null = Suspend-KdcHaLabKdc -Lab $Lab -Node $Node -Port $hungKdc
    try {
        $withHung = @(1..$HungRuns | ForEach-Object {
                $arrivals = @(Measure-Arrival -Kdc $Kdc -Probe $Probe -TimeoutMilliseconds $TimeoutMilliseconds)
                $hung = $arrivals | Where-Object Kdc -EQ $Kdc[-1]
                $others = $arrivals | Where-Object Kdc -NE $Kdc[-1]
                if ($hung.Status -ne 'Timeout' -or @($others | Where-Object Status -NE 'Healthy').Count) { throw 'Unexpected statuses with one KDC hung.' }
                [pscustomobject]@{ Others = ($others | Measure-Object ArrivedMs -Maximum).Maximum; Hung = $hung.ArrivedMs }
            })
    }
    finally {
        $null = Resume-KdcHaLabKdc -Lab $Lab -Node $Node -Port $hungKdc
    }
    [pscustomobject]@{ Writes = $Writes; BackToBackSingle = $BackToBackSingle; IdleSingle = $idleSingle; IdleEight = $idleEight; Others = Get-Median $withHung.Others; Hung = Get-Median $withHung.Hung }
}

$lab = $null
try {
    $lab = New-KdcHaLab -KdcCount 1 -ClientCount 0 -LastSuccess Written
    $node = $lab.Kdcs[0]
    $keytab = $node.HealthKeytab
    $principal = "$($node.HealthPrincipal)@$($lab.Realm)"

    Write-Host 'Warming up the in-process probe'
    Invoke-Warmup { $null = Test-KdcHealth -Kdc $node.Address -Keytab $keytab }
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
    foreach ($port in $ports | Select-Object -Skip 1) { $null = Start-KdcHaLabKdc -Lab $lab -Node $node -Port $port -LastSuccess Written }
    $kdcs = $ports | ForEach-Object { "$($node.Address):$_" }
    $authenticated = @{ Keytab = $keytab }
    $hungTimeout = 1000
    $defaultWrites = 'one shared file; last-success written (MIT default)'
    $ownCopies = 'a copy per process; last-success written (MIT default)'
    $noWrites = 'one shared file; no writes (disable_last_success, disable_lockout)'
    $concurrency = @(
        Measure-Concurrency -Lab $lab -Kdc $kdcs -Probe @{ Realm = $lab.Realm } -Level 'Reachable' -Writes $defaultWrites
        Measure-Concurrency -Lab $lab -Kdc $kdcs -Probe $authenticated -Level 'Authenticated' -Writes $defaultWrites
    )
    $hungCases = @(Measure-HungKdc -Lab $lab -Node $node -Kdc $kdcs -Probe $authenticated -TimeoutMilliseconds $hungTimeout -Writes $defaultWrites -BackToBackSingle $concurrency[-1].Single)

    Write-Host 'The same eight KDC processes, each on its own copy of the database'
    foreach ($port in $ports) {
        $null = Stop-KdcHaLabKdc -Lab $lab -Node $node -Port $port -Signal TERM
        $null = Start-KdcHaLabKdc -Lab $lab -Node $node -Port $port -OwnDatabase
    }
    $concurrency += Measure-Concurrency -Lab $lab -Kdc $kdcs -Probe $authenticated -Level 'Authenticated' -Writes $ownCopies
    $hungCases += Measure-HungKdc -Lab $lab -Node $node -Kdc $kdcs -Probe $authenticated -TimeoutMilliseconds $hungTimeout -Writes $ownCopies -BackToBackSingle $concurrency[-1].Single

    Write-Host 'The same eight KDC processes on the shared database without writes on the AS path'
    foreach ($port in $ports) {
        $null = Stop-KdcHaLabKdc -Lab $lab -Node $node -Port $port -Signal TERM
        $null = Start-KdcHaLabKdc -Lab $lab -Node $node -Port $port -LastSuccess NotWritten
    }
    $concurrency += Measure-Concurrency -Lab $lab -Kdc $kdcs -Probe $authenticated -Level 'Authenticated' -Writes $noWrites
    $hungCases += Measure-HungKdc -Lab $lab -Node $node -Kdc $kdcs -Probe $authenticated -TimeoutMilliseconds $hungTimeout -Writes $noWrites -BackToBackSingle $concurrency[-1].Single
}
finally {
    Remove-KdcHaLab -Lab $lab
}

$probeMedian = Get-Median $probe
$kinitMedian = Get-Median $kinit
$ratio = { param([double] $Value, [double] $Baseline) '{0:N1}×' -f ($Value / $Baseline) }
$verdict = { param([bool] $Met) if ($Met) { 'met' } else { '**not met**' } }

@"
## Test-KdcHealth: managed AS exchange versus kinit

One lab KDC node (real MIT krb5kdc 1.20 in a network namespace, reached through the lab bridge), its health
principal's keytab (aes256-cts-hmac-sha1-96), Authenticated level (PA-ENC-TIMESTAMP, AS-REP decrypted, nonce
checked: the same proof as ``kinit -kt``). Once a principal's encryption type is known in the session (from its first
probe), Test-KdcHealth sends PA-ENC-TIMESTAMP in its first request, so the exchange is one round trip; kinit always
asks first and takes two. Wall time per call with a Stopwatch; probe CPU is this pwsh process's CPU time over $Runs
calls, kinit CPU is the children's user+system time reported by bash ``times`` over $KinitRuns runs.

| Probe | Median wall | CPU per probe | Runs |
|---|---|---|---|
| ``Test-KdcHealth -Keytab`` (in a running pwsh) | $(Format-Milliseconds $probeMedian) | $(Format-Milliseconds $probeCpuMs) | $Runs |
| ``kinit -kt`` (baseline, one process per check) | $(Format-Milliseconds $kinitMedian) | $(Format-Milliseconds $kinitCpuMs) | $KinitRuns |

kinit / Test-KdcHealth: $('{0:N1}' -f ($kinitMedian / $probeMedian))× in wall time, $('{0:N1}' -f ($kinitCpuMs / $probeCpuMs))× in CPU. Target: at least 5× faster — $(& $verdict ($kinitMedian / $probeMedian -ge 5)).

### Eight KDCs at once

Eight krb5kdc processes serving one realm (ports $($ports -join ', ')), probed by one ``Test-KdcHealth -Kdc <8 addresses>`` call (ThrottleLimit 16). A time is when the last result reached a ``ForEach-Object`` after the cmdlet; one probe is timed the same way (a one-address call into the same pipeline), so both include the same invocation and per-result cost. One probe: median of $Runs calls; eight: median of $ConcurrentRuns calls, measured right after; both after $WarmupSeconds s of alternating one- and eight-address calls, so that the code runs as it does in a session or a monitor (.NET optimises a method after about 30 calls, in a background thread that competes for the same cores, and the client's CPU per call settles only after a few seconds of calls).

By default MIT writes the principal's last-success time to the database on every Authenticated exchange, and with the db2 back end each such write ends in an fsync under the database's lock (strace of one krb5kdc: one fsync per AS exchange). Eight processes sharing one database file therefore queue behind one lock and one disk flush whatever the client does, which KDCs on their own hosts never do. Authenticated is therefore measured three times in this run, restarting the same eight processes in between: on one shared database file with MIT's default; each process on its own copy of the database, made as kprop feeds a replica (``kdb5_util dump``, then ``load``), with MIT's default; and on the shared file with ``disable_last_success = true`` and ``disable_lockout = true`` in the realm's ``[dbmodules]`` section (MIT's documented settings for KDCs whose database is shared or replicated; they also turn off account lockout, which a lab realm without lockout policies does not use). The Reachable level causes no write either way.

| Level | KDC database; writes per AS exchange | One probe | All eight results | Ratio | Bound: 3 × one probe | CPU per eight-address call: client / eight KDCs | CPU floor on $([Environment]::ProcessorCount) cores | Floor / one probe |
|---|---|---|---|---|---|---|---|---|
$(($concurrency | ForEach-Object { "| $($_.Level) | $($_.Writes) | $(Format-Milliseconds $_.Single) | $(Format-Milliseconds $_.AllEight) | $(& $ratio $_.AllEight $_.Single) | $(& $verdict ($_.AllEight -le 3 * $_.Single)) | $(Format-Milliseconds $_.ClientCpu) / $(Format-Milliseconds $_.KdcCpu) | $(Format-Milliseconds $_.CpuFloor) | $(& $ratio $_.CpuFloor $_.Single) |" }) -join "`n")

The CPU columns come from $CpuRuns further eight-address calls per row: this pwsh's CPU time, and the eight krb5kdc processes' user and system time from /proc. The floor is their sum spread over all $([Environment]::ProcessorCount) cores, the least wall time that much work can take however it is scheduled. Where the floor alone is near or above 3 × one probe, the bound measures the machine's core count rather than the client: eight probes on $([Environment]::ProcessorCount) cores run about $([math]::Round(8 / [Environment]::ProcessorCount)) deep per core.

With one KDC hung (SIGSTOP), Authenticated, $HungRuns calls each. Every such call lasts the hung KDC's $hungTimeout ms timeout, so each timed call starts after about a second of idle time, and on this 2-core VM the first packets after idle are answered markedly slower than back-to-back ones. The hung case is therefore compared with one probe measured after the same idle time (the healthy probe most like it); eight healthy KDCs after the same idle time show what the hung KDC itself adds. The ratio to the back-to-back probe of the table above is given too; it folds the idle-time slowdown into the bound.

| KDC database; writes per AS exchange | One probe after $hungTimeout ms idle | Eight healthy after $hungTimeout ms idle | Seven healthy with one hung | Ratio to one probe after idle | Bound: 3 × one probe after idle | Ratio to one back-to-back probe | Hung KDC's Timeout arrived at | Within 100 ms of its $hungTimeout ms timeout |
|---|---|---|---|---|---|---|---|---|
$(($hungCases | ForEach-Object { "| $($_.Writes) | $(Format-Milliseconds $_.IdleSingle) | $(Format-Milliseconds $_.IdleEight) | $(Format-Milliseconds $_.Others) | $(& $ratio $_.Others $_.IdleSingle) | $(& $verdict ($_.Others -le 3 * $_.IdleSingle)) | $(& $ratio $_.Others $_.BackToBackSingle) | $(Format-Milliseconds $_.Hung) | $(& $verdict ([math]::Abs($_.Hung - $hungTimeout) -le 100)) |" }) -join "`n")
"@
