#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# A restarted KDC is not a crashed one: a probe refused while the krb5kdc process still runs (the old one closing,
# the new one not yet listening) gets one second look, while a KDC whose process is gone faults at once and says
# so. Real keepalived and MIT krb5kdc in the lab, a monitor per node, kinit at 5/s through the VIP.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:lab = New-KdcHaLabMonitoredPair -ModulePath $module
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Start-KdcHaMonitor with the local KDC restarted or crashed' -Tag Lab {
    BeforeEach { Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module }

    It 'KeepsTheVipThroughFiveQuickRestartsUnderClientLoad' {
        $since = Get-KdcHaLabMonotonicMs
        $utc = [DateTime]::UtcNow
        $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 5
        try {
            Start-Sleep -Milliseconds 500
            for ($restart = 1; $restart -le 5; $restart++) {
                $null = Restart-KdcHaLabKdc -Lab $lab -Node kdc1
                Start-Sleep -Seconds 1
            }
            Start-Sleep -Seconds 1
        } finally {
            $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab)
        }
        $moves = @(Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.MonoMs -ge $since -and $_.Event -eq 'Added' })
        $localDowns = @(Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc1 | Where-Object { $_.EventType -eq 'HealthChanged' -and $_.Timestamp -ge $utc -and $_.State -eq 'Down' })
        $status = Get-Content -Raw (Join-Path (Get-KdcHaLabMonitorStateDirectory -Lab $lab -Node kdc1) 'status.json') | ConvertFrom-Json
        Write-Host ("5 KDC restarts 1 s apart: {0} VIP moves, {1} local Down verdicts, kinit {2} failed of {3}" -f
            $moves.Count, $localDowns.Count, @($attempts | Where-Object ExitCode -NE 0).Count, $attempts.Count)
        $moves.Count | Should -BeLessOrEqual 2 -Because 'a restart may move the VIP at most once away and once back'
        $status.Kdcs | Where-Object IsLocal | ForEach-Object State | Should -Be 'Up'
    }

    It 'FaultsAtOnceOnACrashAndNamesTheProcessExitInItsEvents' {
        # SIGKILL on the VIP holder's krb5kdc: the monitor's exit watcher (a pidfd) sees that pid exit and starts a
        # round at once; the events name the process exit and the pid, which no probe alone can tell.
        $fault = Stop-KdcHaLabKdc -Lab $lab -Node kdc1 -Signal KILL
        $moved = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $fault.MonoMs
        Write-Host ("krb5kdc (pid {1}) killed: the VIP moved after {0:0} ms" -f ($moved.MonoMs - $fault.MonoMs), ($fault.Pids -join ', '))
        ($moved.MonoMs - $fault.MonoMs) | Should -BeLessThan 2000
        $events = @(Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc1 | Where-Object { $_.Timestamp -ge $fault.Utc })
        $down = @($events | Where-Object { $_.EventType -eq 'HealthChanged' -and $_.IsLocal -and $_.State -eq 'Down' })
        $down.Count | Should -Be 1
        $down[0].ProbeStatus | Should -Be 'Refused'
        $exit = 'Process exit: krb5kdc \(pid {0}\) exited' -f $fault.Pids[0]
        Write-Host "Cause: $($down[0].Cause)"
        $down[0].Cause | Should -Match $exit
        $down[0].Message | Should -Match $exit
        $set = @($events | Where-Object { $_.EventType -eq 'FaultChanged' -and $_.Fault })
        $set.Count | Should -Be 1
        $set[0].Message | Should -Match $exit -Because 'the FAULT says why the VIP left: a crash, not a hang or a timeout'
    }
}
