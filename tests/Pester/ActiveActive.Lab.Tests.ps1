#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Active-active: every KDC serves at once behind its own VIP (New-KdcHaKeepalivedConfig -ActiveActiveNode), node n
# the primary of VIP n and a backup of the others. A fault on one node must move its VIP alone: the other VIPs stay
# where they are, and the moved VIP comes back once. Real keepalived, MIT krb5kdc and a monitor per node, with two and
# with three nodes; a VIP watcher per VIP records every holder change.

BeforeDiscovery {
    $script:shapes = @(@{ NodeCount = 2 }, @{ NodeCount = 3 })
}

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path

    # Holder changes of each VIP since -SinceMonoMs.
    function Get-VipChanges($Lab, [double] $SinceMonoMs) {
        foreach ($vip in $Lab.Vips) {
            [pscustomobject]@{ Vip = $vip; Count = @(Get-KdcHaLabVipTransition -Lab $Lab -Vip $vip | Where-Object { $_.MonoMs -ge $SinceMonoMs -and $_.Event -eq 'Added' }).Count }
        }
    }

    function Invoke-NodePwsh($Lab, [string] $Node, [string] $Command) {
        $r = Invoke-KdcHaLabPwsh -Lab $Lab -Node $Node -Command "`$ErrorActionPreference = 'Stop'; Import-Module '$module'; $Command"
        if ($r.ExitCode -ne 0) { throw "pwsh on $Node failed: $($r.StdErr)$($r.StdOut)" }
        $r.StdOut | ConvertFrom-Json
    }
}

Describe 'Active-active with <NodeCount> nodes' -Tag Lab -ForEach $shapes {
    BeforeAll {
        $script:lab = New-KdcHaLabActiveActive -ModulePath $module -NodeCount $NodeCount
    }

    AfterAll {
        Remove-KdcHaLab -Lab $script:lab
    }

    BeforeEach { Restore-KdcHaLabActiveActive -Lab $lab -ModulePath $module }

    It 'ShowsEveryInstanceInGetVrrpStateEachNodeMasterOfItsOwn' {
        $n = $lab.Kdcs[1]
        $states = @(Invoke-NodePwsh $lab $n.Name "@(Get-VrrpState -PidFile '$($n.KeepalivedPidFile)' -WarningAction SilentlyContinue | Select-Object Instance, State, HoldsVirtualIP) | ConvertTo-Json -AsArray")
        $states | ForEach-Object { Write-Host ("{0}: {1} {2} holds VIP: {3}" -f $n.Name, $_.Instance, $_.State, $_.HoldsVirtualIP) }
        $states.Count | Should -Be $NodeCount
        ($states | Where-Object Instance -EQ 'KDC_VIP_2').State | Should -Be 'Master'
        @($states | Where-Object Instance -NE 'KDC_VIP_2' | Where-Object State -NE 'Backup') | Should -BeNullOrEmpty
    }

    It 'MovesOnlyVip1WhenNode1sKdcHangsAndGivesItBackOnce' {
        $r = Measure-KdcHaLabFault -Lab $lab -To kdc2 -Inject { Suspend-KdcHaLabKdc -Lab $lab -Node kdc1 } -Recover { Resume-KdcHaLabKdc -Lab $lab -Node kdc1 }
        Write-Host ("kdc1 hung: VIP 1 on kdc2 after {0:0} ms, back on kdc1 {1:0} ms after the resume; holder changes per VIP: {2}; kinit {3} failed of {4}" -f
            $r.FailoverMs, $r.BackMs, (($r.Changes | ForEach-Object { "$($_.Vip)=$($_.Count)" }) -join ' '), $r.FailedAttempts, $r.Attempts)
        $r.FailoverMs | Should -BeLessThan 1000
        $r.Changes[0].Count | Should -Be 2 -Because 'VIP 1 moves away once and comes back once'
        foreach ($other in $r.Changes | Select-Object -Skip 1) {
            $other.Count | Should -Be 0 -Because "$($other.Vip) is held by a healthy node"
        }
        $r.FailedAttempts | Should -Be 0
    }

    It 'MovesOneInstanceWithMoveKdcVipAndLeavesTheOthers' {
        $n = $lab.Kdcs[1]
        $since = Get-KdcHaLabMonotonicMs
        $result = Invoke-NodePwsh $lab $n.Name "Move-KdcVip -Instance KDC_VIP_2 -ConfigPath '$($n.KeepalivedConfig)' -Realm $($lab.Realm) -Confirm:`$false | ConvertTo-Json -Compress"
        try {
            $holders = @(Get-KdcHaLabVipHolder -Lab $lab -Vip $lab.Vips[1])
            $changes = @(Get-VipChanges $lab $since)
        } finally {
            $null = Invoke-NodePwsh $lab $n.Name "Move-KdcVip -Restore -Instance KDC_VIP_2 -ConfigPath '$($n.KeepalivedConfig)' -Realm $($lab.Realm) -Confirm:`$false | ConvertTo-Json -Compress"
        }
        Write-Host ("Move-KdcVip -Instance KDC_VIP_2 on {0}: VIP 2 now on {1}; adds per VIP: {2}" -f $n.Name, ($holders -join ','), (($changes | ForEach-Object { "$($_.Vip)=$($_.Count)" }) -join ' '))
        $result.Instance | Should -Be 'KDC_VIP_2'
        $holders | Should -Not -Contain $n.Name
        $holders.Count | Should -Be 1
        foreach ($other in $changes | Where-Object Vip -NE $lab.Vips[1]) {
            $other.Count | Should -Be 0 -Because "only KDC_VIP_2 was moved"
        }
    }
}
