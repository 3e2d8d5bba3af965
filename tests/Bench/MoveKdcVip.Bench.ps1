# Move-KdcVip (keepalived mode) in the lab: how long a planned switchover takes with VRRPv3 timing and how many
# client kinit attempts fail during it, against stopping keepalived on the holder (`killall keepalived`, the usual
# manual switchover), measured the same way in the same run. Target: switchover median under 1 s, no failed kinit.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 10
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
Import-Module (Join-Path $PSScriptRoot '../Lab/KdcHaLab.psd1')
Import-Module (Join-Path $PSScriptRoot 'BenchStatistics.psm1')

# Switchover = from the trigger (UTC) to the watcher's first record with kdc2 alone holding the VIP.
function Get-SwitchoverMs($Lab, [datetime] $TriggerUtc, [double] $SinceMonoMs) {
    $moved = Wait-KdcHaLabVipMove -Lab $Lab -Node kdc2 -SinceMonoMs $SinceMonoMs -TimeoutSec 10
    ($moved.Utc - $TriggerUtc).TotalMilliseconds
}

function Invoke-InNode($Lab, [string] $Node, [string] $Arguments) {
    $n = $Lab.Kdcs | Where-Object Name -EQ $Node
    $r = Invoke-KdcHaLabPwsh -Lab $Lab -Node $Node -Command "Import-Module '$ModulePath'; Move-KdcVip -Instance KDC_VIP -ConfigPath '$($n.KeepalivedConfig)' -Realm $($Lab.Realm) $Arguments -Confirm:`$false | ConvertTo-Json -Compress"
    if ($r.ExitCode -ne 0) { throw "Move-KdcVip $Arguments on $Node failed: $($r.StdErr)$($r.StdOut)" }
    $r.StdOut | ConvertFrom-Json
}

# Attempts started from the first trigger of a phase until its last switchover settled, plus 1 s.
function Measure-Phase([string] $Name, [scriptblock] $Switchover) {
    Write-Host "$Name`: $Runs switchovers"
    $from = Get-KdcHaLabMonotonicMs
    $durations = foreach ($run in 1..$Runs) {
        $ms = & $Switchover
        Write-Host ('  run {0}: {1:N0} ms' -f $run, $ms)
        $ms
    }
    Start-Sleep -Seconds 1
    [pscustomobject]@{ Name = $Name; Durations = @($durations); From = $from; To = Get-KdcHaLabMonotonicMs }
}

$lab = $null
try {
    $lab = New-KdcHaLab -KdcCount 2 -ClientCount 1
    Write-Host "Lab $($lab.Id) up"
    foreach ($node in $lab.Kdcs) {
        $config = New-KdcHaLabMaintenanceKeepalivedConfig -Lab $lab -Node $node -Priority @{ kdc1 = 90; kdc2 = 80 }[$node.Name]
        $null = Start-KdcHaLabKeepalived -Lab $lab -Node $node -ConfigText $config
    }
    $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1
    $null = Start-KdcHaLabVipWatcher -Lab $lab
    $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 5
    Start-Sleep -Seconds 1

    $moves = Measure-Phase 'Move-KdcVip' {
        $since = Get-KdcHaLabMonotonicMs
        $moved = Invoke-InNode $lab kdc1 "-To $($lab.Kdcs[1].Address)"
        if (-not $moved.Verified) { throw "Move not verified: $($moved.Message)" }
        $ms = Get-SwitchoverMs $lab $moved.Started $since
        $null = Invoke-InNode $lab kdc1 '-Restore'
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1 -TimeoutSec 5
        $ms
    }

    $kdc1Config = Get-Content -Raw -LiteralPath $lab.Kdcs[0].KeepalivedConfig
    $baseline = Measure-Phase 'killall keepalived (baseline)' {
        $since = Get-KdcHaLabMonotonicMs
        $stop = Stop-KdcHaLabKeepalived -Lab $lab -Node kdc1
        $ms = Get-SwitchoverMs $lab $stop.Utc $since
        $null = Start-KdcHaLabKeepalived -Lab $lab -Node kdc1 -ConfigText $kdc1Config
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1 -TimeoutSec 5
        $ms
    }
    $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab)
}
finally {
    Remove-KdcHaLab -Lab $lab
}

$verdict = { param([bool] $Met) if ($Met) { 'met' } else { '**not met**' } }
$rows = foreach ($phase in $moves, $baseline) {
    $inPhase = @($attempts | Where-Object { $_.StartMonoMs -ge $phase.From -and $_.StartMonoMs -le $phase.To })
    $failed = @($inPhase | Where-Object ExitCode -NE 0).Count
    $phase | Add-Member -PassThru -NotePropertyMembers @{ Median = Get-Median $phase.Durations; Failed = $failed; Attempts = $inPhase.Count }
}

@"
## Move-KdcVip switchover

Two lab KDC nodes (keepalived 2.2.7, VRRPv3, advert_int 0.1 s, priorities 90/80, the KdcHa maintenance track_file
with weight -253), a client namespace running real ``kinit`` (password, krb5.conf listing only the VIP) at 5/s
throughout. Switchover = from the trigger to the first netlink watcher record where kdc2 alone holds the VIP
(UTC stamps, ms resolution); $Runs switchovers per row, each followed by the way back (``Move-KdcVip -Restore``, or
restarting keepalived) and not counted. Trigger: the moment Move-KdcVip wrote the maintenance file (its result's
Started), or the moment ``killall keepalived`` (TERM, a clean stop) was sent on the holder. Failed = kinit attempts
that exited non-zero among those started during the row's runs, the ways back included.

| Switchover | Median | Min | Max | Failed client kinit attempts |
|---|---|---|---|---|
$(($rows | ForEach-Object { "| $($_.Name) | $(Format-Milliseconds $_.Median) | $(Format-Milliseconds ($_.Durations | Measure-Object -Minimum).Minimum) | $(Format-Milliseconds ($_.Durations | Measure-Object -Maximum).Maximum) | $($_.Failed) of $($_.Attempts) |" }) -join "`n")

Target: Move-KdcVip median under 1 s — $(& $verdict ($rows[0].Median -lt 1000)); no failed kinit during the moves — $(& $verdict ($rows[0].Failed -eq 0)).
"@
