# Turns what the demo recorded (fault events, VIP transitions, client kinit attempts, alerts received) into
# per-scenario figures and the markdown report. Every figure is computed from the recording, never typed in.

Set-StrictMode -Version 3.0

function Measure-KdcHaDemoScenario {
    <#
    .SYNOPSIS
    Figures of one scenario from the recording: seconds from the fault until the VIP moved, seconds from the
    recovery action until it was back, and the client attempts and alerts that started in the scenario's window.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Scenario,
        [Parameter(Mandatory)] [double] $FaultMs,
        [Parameter(Mandatory)] [double] $MovedMs,
        [Parameter(Mandatory)] [double] $RecoverMs,
        [Parameter(Mandatory)] [double] $BackMs,
        [Parameter(Mandatory)] [double] $WindowEndMs,
        [object[]] $Attempts = @(),
        [object[]] $Alerts = @()
    )
    $inWindow = @($Attempts | Where-Object { $_.StartMonoMs -ge $FaultMs -and $_.StartMonoMs -lt $WindowEndMs })
    [pscustomobject]@{
        Scenario       = $Scenario
        FaultMs        = $FaultMs
        WindowEndMs    = $WindowEndMs
        FailoverSec    = [math]::Round(($MovedMs - $FaultMs) / 1000, 3)
        BackSec        = [math]::Round(($BackMs - $RecoverMs) / 1000, 3)
        Attempts       = $inWindow.Count
        FailedAttempts = @($inWindow | Where-Object ExitCode -NE 0).Count
        SlowestSec     = [math]::Round((@($inWindow | ForEach-Object DurationMs) + 0 | Measure-Object -Maximum).Maximum / 1000, 2)
        Alerts         = @($Alerts | Where-Object { $_.MonoMs -ge $FaultMs -and $_.MonoMs -lt $WindowEndMs }).Count
    }
}

function ConvertTo-KdcHaDemoMarkdown {
    <#
    .SYNOPSIS
    The demo report: one row per scenario, KdcHa beside the seed vrrp_script design where the seed has the fault.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [object[]] $KdcHa,
        [object[]] $Seed = @(),
        [Parameter(Mandatory)] [hashtable] $Labels,
        [Parameter(Mandatory)] [string] $Machine,
        [Parameter(Mandatory)] [string] $ChartFile
    )
    $lines = @(
        '# KdcHa demo report'
        ''
        "Run on $Machine. Every figure below comes from this run only: real MIT krb5kdc and keepalived on two KDC nodes in network namespaces, Start-KdcHaMonitor on each, a client running real kinit against the VIP at 5 per second."
        ''
        '| Scenario | KdcHa: VIP moved after | KdcHa: failed / kinit attempts | KdcHa: slowest kinit | KdcHa: alerts received | KdcHa: VIP back after recovery | Seed: VIP moved after | Seed: failed / kinit attempts | Seed: slowest kinit | Seed ÷ KdcHa |'
        '|---|---|---|---|---|---|---|---|---|---|'
    )
    foreach ($row in $KdcHa) {
        $seedRow = $Seed | Where-Object Scenario -EQ $row.Scenario | Select-Object -First 1
        $seedCells = if ($seedRow) {
            '{0:N2} s | {1} / {2} | {3:N2} s | {4:N0}×' -f $seedRow.FailoverSec, $seedRow.FailedAttempts, $seedRow.Attempts, $seedRow.SlowestSec, ($seedRow.FailoverSec / $row.FailoverSec)
        }
        elseif ($Seed.Count -eq 0) {
            'seed not run | | |'
        }
        else {
            'not part of the seed design | | |'
        }
        $lines += '| {0} | {1:N3} s | {2} / {3} | {4:N2} s | {5} | {6:N2} s | {7} |' -f $Labels[$row.Scenario], $row.FailoverSec, $row.FailedAttempts, $row.Attempts, $row.SlowestSec, $row.Alerts, $row.BackSec, $seedCells
    }

    $lines += @(
        ''
        "![Timeline: VIP holder, KDC health per node, client kinit attempts, faults]($ChartFile)"
        ''
        'VIP moved after: from the fault (or the planned move) until the other node alone held the VIP, seen by a netlink watcher on the monotonic clock. Failed / attempts, slowest: the client kinit attempts that started between the fault and the next scenario. Alerts: webhook posts the monitors'' notification channel delivered to the local receiver in that window. Seed design: keepalived vrrp_script running kinit -kt every 5 s (fall 2, rise 5, weight -50, timeout 4), VRRPv2 advert_int 1, measured in the same run.'
    )
    $lines -join "`n"
}

Export-ModuleMember -Function Measure-KdcHaDemoScenario, ConvertTo-KdcHaDemoMarkdown
