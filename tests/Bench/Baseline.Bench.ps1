#Requires -Version 7.4
<#
.SYNOPSIS
Baseline: the field's seed design (keepalived vrrp_script running kinit -kt every 5 s) measured with
real keepalived and MIT krb5kdc in the KdcHa lab. Writes one markdown section to the pipeline;
progress goes to the host. Needs root.
#>
# -PassThru writes the per-run results instead of the markdown, for benches that compare against the seed design.
param([ValidateRange(1, 50)][int]$Runs = 1, [switch]$PassThru)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
Import-Module "$PSScriptRoot/BenchStatistics.psm1" -Force
Import-Module "$PSScriptRoot/SeedDesign.psm1" -Force

$ClientRate = 5
$FailoverTimeoutSec = 60
# After the VIP moves, keep the load running so attempts stalled by the fault finish and count.
$AfterFailoverSec = 3

function Measure-SeedScenario {
    param($Lab, [string]$Scenario, [int]$Run)
    Reset-SeedPair -Lab $Lab
    Start-SeedKeepalived -Lab $Lab
    # The fault lands at a random phase of the check interval: detection time depends on it, and a
    # fixed offset from keepalived's start would measure the same phase every run.
    $phase = Get-Random -Minimum 0.0 -Maximum ([double]$Seed.Interval)
    $result = Measure-KdcHaLabFailover -Lab $Lab -Scenario $Scenario -ClientRate $ClientRate -LeadSeconds (2 + $phase) -AfterSeconds $AfterFailoverSec -TimeoutSec $FailoverTimeoutSec -AllowNoMove |
        Add-Member -NotePropertyMembers ([ordered]@{ Run = $Run; PhaseSec = $phase }) -PassThru
    Write-Host ("  {0} run {1} (phase {6:n1} s): failover {2:n2} s, {3}/{4} kinit failed, longest kinit {5:n2} s" -f $Scenario, $Run, $result.FailoverSec, $result.FailedAttempts, $result.Attempts, $result.LongestKinitSec, $phase)
    $result
}

function Format-SeedMarkdown {
    param([object[]]$Results, [string]$Versions)
    $labels = [ordered]@{ hung = 'Hung KDC (SIGSTOP) on the VIP holder'; killed = 'Killed KDC (SIGKILL) on the VIP holder' }
    $agg = if ($Runs -gt 1) { 'median of ' + $Runs + ' runs' } else { '1 run' }
    $lines = @(
        '## Baseline: seed vrrp_script design'
        ''
        "| Scenario | Failover (s, $agg) | Failed client kinit attempts | Longest client kinit (s) |"
        '|---|---|---|---|'
    )
    foreach ($s in $labels.Keys) {
        $r = @($Results | Where-Object Scenario -EQ $s)
        $fo = Get-Median $r.FailoverSec
        $range = if ($Runs -gt 1) { ' ({0:n1}–{1:n1})' -f ($r.FailoverSec | Measure-Object -Minimum).Minimum, ($r.FailoverSec | Measure-Object -Maximum).Maximum } else { '' }
        $lines += '| {0} | {1:n1}{2} | {3} of {4} | {5:n1} |' -f $labels[$s], $fo, $range, (Get-Median $r.FailedAttempts), (Get-Median $r.Attempts), (Get-Median $r.LongestKinitSec)
    }
    $lines += ''
    $lines += ("Measured by tests/Bench/Baseline.Bench.ps1 ({0}) in the KdcHa namespace lab with {1}: two KDC nodes, " +
        "keepalived VRRPv2 advert_int {2}, priorities 90/80, vrrp_script ``kinit -kt <keytab> kdcha-health/<node>`` with the node's own krb5.conf " +
        "(interval {3}, timeout {4}, fall {5}, rise {6}, weight {7}). Failover = from the fault (SIGSTOP or SIGKILL of krb5kdc on the VIP holder) " +
        "until the other node alone holds the VIP, stamped by a netlink watcher on the monotonic clock. A client namespace ran real ``kinit`` " +
        "(password, default MIT timeouts, krb5.conf listing only the VIP) at {8}/s from 2–7 s before the fault (random phase of the check interval) until {9} s after the move; " +
        "failed = non-zero exit, longest = slowest attempt (median over runs where more than one).") -f $agg, $Versions, $Seed.AdvertInt, $Seed.Interval, $Seed.Timeout, $Seed.Fall, $Seed.Rise, $Seed.Weight, $ClientRate, $AfterFailoverSec
    $lines -join "`n"
}

$lab = $null
try {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $lab = New-KdcHaLab -KdcCount 2 -ClientCount 1
    Write-Host ("Baseline: lab {0} up in {1:n2} s" -f $lab.Id, $sw.Elapsed.TotalSeconds)
    $null = Start-KdcHaLabVipWatcher -Lab $lab
    $results = foreach ($run in 1..$Runs) {
        foreach ($scenario in 'hung', 'killed') { Measure-SeedScenario -Lab $lab -Scenario $scenario -Run $run }
    }
    $ka = ((Invoke-KdcHaLabCommand -Lab $lab -FilePath keepalived -ArgumentList '-v').StdErr -split "`n")[0] -replace '^Keepalived v(\S+).*$', 'keepalived $1'
    $krb = 'MIT krb5kdc ' + (Invoke-KdcHaLabCommand -Lab $lab -FilePath dpkg-query -ArgumentList '-W', '-f=${Version}', 'krb5-kdc').StdOut
    if ($PassThru) { $results } else { Format-SeedMarkdown -Results $results -Versions "$ka, $krb" }
} finally {
    Remove-KdcHaLab -Lab $lab
}
