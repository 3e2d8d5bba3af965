#Requires -Version 7.4
<#
.SYNOPSIS
Failover in the topologies beyond one VIP over a shared database: active-active (three KDC nodes, each the primary of
its own VIP, New-KdcHaKeepalivedConfig -ActiveActiveNode) with kdc1's KDC hung, and a directory per KDC node (MIT KDCs
on OpenLDAP, one replicating slapd per node, New-KdcHaLab -Database LdapPerNode) with the holder's own slapd hung.
Real keepalived, krb5kdc, slapd and a monitor per node; kinit at 5/s through the VIP. Writes one markdown section to
the pipeline; progress goes to the host. Needs root.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [ValidateRange(1, 50)][int]$Runs = 5
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
Import-Module "$PSScriptRoot/BenchStatistics.psm1" -Force
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path

# -Runs faults of one kind, each from a settled lab, the fault at a random phase of the 200 ms probe interval.
function Measure-Topology {
    param([string]$Name, [scriptblock]$NewLab, [scriptblock]$Restore, [scriptblock]$Inject, [scriptblock]$Recover)
    $lab = & $NewLab
    try {
        $rows = foreach ($run in 1..$Runs) {
            & $Restore $lab
            $r = Measure-KdcHaLabFault -Lab $lab -To kdc2 -LeadSeconds (1 + (Get-Random -Minimum 0.0 -Maximum 0.2)) -Inject { & $Inject $lab } -Recover { & $Recover $lab }
            Write-Host ("  {0} run {1}: moved in {2:0} ms, back {3:0} ms after the recovery; holder changes per VIP {4}; kinit {5}/{6} failed" -f
                $Name, $run, $r.FailoverMs, $r.BackMs, (($r.Changes | ForEach-Object Count) -join '/'), $r.FailedAttempts, $r.Attempts)
            $r
        }
    } finally {
        Remove-KdcHaLab -Lab $lab
    }
    $failover = @($rows.FailoverMs)
    $others = ($rows | ForEach-Object { $_.Changes | Select-Object -Skip 1 | ForEach-Object Count } | Measure-Object -Sum).Sum
    $median = Get-Median -Value $failover
    [pscustomobject]@{
        Row = '| {0} | {1} | {2:0} ms ({3:0}–{4:0}) | {5:0} ms | {6} | {7} | {8} / {9} | {10} |' -f $Name, $Runs, $median,
            ($failover | Measure-Object -Minimum).Minimum, ($failover | Measure-Object -Maximum).Maximum, (Get-Median -Value @($rows.BackMs)),
            ((@($rows | ForEach-Object { $_.Changes[0].Count }) | Select-Object -Unique) -join ', '), $(if ($rows[0].Changes.Count -gt 1) { $others } else { '—' }),
            ($rows.FailedAttempts | Measure-Object -Sum).Sum, ($rows.Attempts | Measure-Object -Sum).Sum, $(if ($median -lt 500 -and -not $others) { 'met' } else { 'not met' })
    }
}

$results = @(
    Measure-Topology -Name "active-active, 3 nodes: kdc1's krb5kdc hung (SIGSTOP)" `
        -NewLab { New-KdcHaLabActiveActive -ModulePath $ModulePath -NodeCount 3 } -Restore { param($lab) Restore-KdcHaLabActiveActive -Lab $lab -ModulePath $ModulePath } `
        -Inject { param($lab) Suspend-KdcHaLabKdc -Lab $lab -Node kdc1 } -Recover { param($lab) Resume-KdcHaLabKdc -Lab $lab -Node kdc1 }
    Measure-Topology -Name "a directory per node: the holder's own slapd hung (SIGSTOP)" `
        -NewLab { New-KdcHaLabMonitoredPair -ModulePath $ModulePath -Database LdapPerNode } -Restore { param($lab) Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $ModulePath } `
        -Inject { param($lab) Suspend-KdcHaLabDirectory -Lab $lab -Node kdc1 } -Recover { param($lab) Resume-KdcHaLabDirectory -Lab $lab -Node kdc1 }
)

'## Failover in other topologies'
''
'| Fault | Runs | Failover to kdc2, median (min–max) | Back on kdc1 after recovery, median | Moved VIP''s holder changes per run | Other VIPs'' holder changes, all runs | Failed / total kinit | Target: median < 0.5 s, other VIPs never move |'
'|---|---|---|---|---|---|---|---|'
$results.Row
''
'Measured by tests/Bench/Topologies.Bench.ps1 in the KdcHa namespace lab, Start-KdcHaMonitor with defaults on each node, a netlink VIP watcher per VIP, real kinit at 5/s from a client namespace through the moved VIP; the fault lands at a random phase of the probe interval and is undone 2 s after the VIP moved. Active-active: keepalived from New-KdcHaKeepalivedConfig -VirtualAddress <three VIPs> -ActiveActiveNode n -Priority 200 (node n primary of VIP n, the backups 10 and 20 lower in rotation). A directory per node: each KDC lists its own slapd first in ldap_servers, the two slapd replicating to each other (mirror mode); kdc1 priority 200, kdc2 100. Failover = from the SIGSTOP until kdc2 alone holds the VIP; back = from the SIGCONT until kdc1 alone holds it again.'
