#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# A KDC held to a sliver of a core by a CPU quota still answers, late: it is busy, not hung, and keeps the VIP. While
# throttled its CPU time stands still between two reads (the quota is spent), but it stays runnable, which a stopped
# or blocked KDC is not. Real keepalived and MIT krb5kdc in the lab, a monitor per node, kinit at 5/s through the VIP.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:lab = New-KdcHaLabMonitoredPair -ModulePath $module
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Start-KdcHaMonitor with the local KDC under a CPU quota' -Tag Lab {
    BeforeEach { Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module }

    It 'KeepsTheVipWhileTheHoldersKdcIsThrottledToHalfAPercentOfACoreIn400MsPeriods' {
        $since = Get-KdcHaLabMonotonicMs
        $utc = [DateTime]::UtcNow
        $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 5
        try {
            # 2 ms of CPU per 400 ms: a request that finds the quota spent waits up to 400 ms, and CPU time often stands
            # still through a whole 100 ms probe. Measured against the monitor that looked at CPU time alone: 2 and 4
            # local Down verdicts (4 and 8 VIP moves) in two runs of these 20 s.
            Set-KdcHaLabCpuQuota -Lab $lab -Node kdc1 -Percent 0.5 -PeriodMilliseconds 400
            Start-Sleep -Seconds 20
        } finally {
            Set-KdcHaLabCpuQuota -Lab $lab -Node kdc1 -Percent 0
            $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab)
        }
        $moves = @(Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.MonoMs -ge $since -and $_.Event -eq 'Added' })
        $localDowns = @(Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc1 | Where-Object { $_.EventType -eq 'HealthChanged' -and $_.Timestamp -ge $utc -and $_.IsLocal -and $_.State -eq 'Down' })
        $failed = @($attempts | Where-Object ExitCode -NE 0)
        Write-Host ("krb5kdc at 0.5 % of a core (400 ms periods) for 20 s: {0} VIP moves, {1} local Down verdicts, kinit {2} failed of {3}, slowest {4:0} ms" -f
            $moves.Count, $localDowns.Count, $failed.Count, $attempts.Count, ($attempts | Measure-Object DurationMs -Maximum).Maximum)
        $localDowns | ForEach-Object { Write-Host "Down: $($_.Cause)" }
        $attempts.Count | Should -BeGreaterThan 50
        $localDowns.Count | Should -Be 0 -Because 'a runnable KDC that answers late is busy, not hung'
        $moves.Count | Should -Be 0
        $failed.Count | Should -Be 0
    }

    It 'StillMovesTheVipAtOnceWhenTheKdcHangs' {
        $fault = Suspend-KdcHaLabKdc -Lab $lab -Node kdc1
        try {
            $moved = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $fault.MonoMs
        } finally {
            $null = Resume-KdcHaLabKdc -Lab $lab -Node kdc1
        }
        Write-Host ("krb5kdc stopped: the VIP moved after {0:0} ms" -f ($moved.MonoMs - $fault.MonoMs))
        ($moved.MonoMs - $fault.MonoMs) | Should -BeLessThan 2000 -Because 'a stopped KDC is neither runnable nor using CPU'
    }
}
