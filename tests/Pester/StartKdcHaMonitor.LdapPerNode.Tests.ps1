#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# A monitored pair whose MIT KDCs each read their own OpenLDAP slapd, the two replicating to each other
# (New-KdcHaLab -Database LdapPerNode; each KDC lists its own directory first), as sites with a directory per KDC
# host run. The holder's own directory failing is a fault of that node: the VIP goes to the node whose directory
# answers, and comes back once it recovers. Every directory failing at once is shared: the VIP stays, one alert.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:lab = New-KdcHaLabMonitoredPair -ModulePath $module -ClientCount 1 -Database LdapPerNode

    function Restore-Directories {
        foreach ($slapd in Get-KdcHaLabDirectory -Lab $lab) {
            if (-not $slapd.Alive) { $null = Start-KdcHaLabDirectory -Lab $lab -Node $slapd.Name } elseif ($slapd.Stopped) { $null = Resume-KdcHaLabDirectory -Lab $lab -Node $slapd.Name }
        }
    }

    function Get-LocalDown($Since) {
        Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc1 | Where-Object { $_.EventType -eq 'HealthChanged' -and $_.IsLocal -and $_.State -eq 'Down' -and $_.Timestamp -ge $Since } | Select-Object -First 1
    }
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Start-KdcHaMonitor with a directory per KDC node' -Tag Lab {
    AfterEach {
        Restore-Directories
        Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module
    }

    It 'MovesTheVipToTheNodeWhoseDirectoryAnswersWhenTheHoldersSlapdHangs' {
        $r = Measure-KdcHaLabFault -Lab $lab -To kdc2 -Inject { Suspend-KdcHaLabDirectory -Lab $lab -Node kdc1 } -Recover { Resume-KdcHaLabDirectory -Lab $lab -Node kdc1 }
        $down = Get-LocalDown $r.Fault.Utc
        Write-Host ("kdc1's slapd hung: VIP on kdc2 after {0:0} ms, back {1:0} ms after the resume, {2} holder changes; kinit {3} failed of {4}; kdc1 down as {5}" -f
            $r.FailoverMs, $r.BackMs, $r.Changes[0].Count, $r.FailedAttempts, $r.Attempts, $down.ProbeStatus)
        $r.FailoverMs | Should -BeLessThan 2000 -Because 'a KDC whose own directory hangs goes silent'
        $r.Changes[0].Count | Should -Be 2 -Because 'away once, back once'
        $r.FailedAttempts | Should -Be 0
    }

    It 'KeepsServingWhenTheHoldersSlapdIsKilled' {
        # MIT's kldap finds the next ldap_servers entry refusing at once, so the KDC reads its peer's directory.
        $r = Measure-KdcHaLabFault -Lab $lab -Inject { Stop-KdcHaLabDirectory -Lab $lab -Node kdc1 } -Recover { Start-KdcHaLabDirectory -Lab $lab -Node kdc1 }
        $down = Get-LocalDown $r.Fault.Utc
        Write-Host ("kdc1's slapd killed: {0} holder changes; kinit {1} failed of {2}; kdc1 down: {3}" -f
            $r.Changes[0].Count, $r.FailedAttempts, $r.Attempts, $(if ($down) { $down.ProbeStatus } else { 'never' }))
        $r.FailedAttempts | Should -Be 0
        $down | Should -BeNullOrEmpty -Because 'the KDC still answers from the peer directory'
        $r.Changes[0].Count | Should -Be 0
    }

    It 'KeepsTheVipAndAlertsWhenEveryDirectoryHangs' {
        $since = Get-KdcHaLabMonotonicMs
        $utc = [DateTime]::UtcNow
        foreach ($slapd in Get-KdcHaLabDirectory -Lab $lab) { $null = Suspend-KdcHaLabDirectory -Lab $lab -Node $slapd.Name }
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        do {
            Start-Sleep -Milliseconds 200
            $alerts = @(foreach ($n in 'kdc1', 'kdc2') { Get-KdcHaLabMonitorEvent -Lab $lab -Node $n | Where-Object { $_.EventType -eq 'AllKdcsDown' -and -not $_.Resolved -and $_.Timestamp -ge $utc } })
        } while (@($alerts.Node | Sort-Object -Unique).Count -lt 2 -and [DateTime]::UtcNow -lt $deadline)
        Start-Sleep -Seconds 1
        $moves = @(Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.MonoMs -ge $since })
        Write-Host ("every slapd hung: AllKdcsDown on {0}; {1} VIP changes; {2}" -f ($alerts.Node -join ', '), $moves.Count, $alerts[0].Message)
        @($alerts.Node | Sort-Object -Unique) | Should -Be @('kdc1', 'kdc2')
        $alerts[0].Severity | Should -Be 'Critical'
        $moves.Count | Should -Be 0
    }
}
