#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# A monitored pair whose MIT KDCs share one real OpenLDAP slapd (New-KdcHaLab -Database Ldap). When the directory
# fails, every KDC fails at once: faulting either node would only move the VIP to a KDC that fails alike, so the
# VIP stays and each monitor raises one Critical AllKdcsDown event that names the directory as the likely cause.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:lab = New-KdcHaLabMonitoredPair -ModulePath $module -ClientCount 0 -Database Ldap

    # Waits for one AllKdcsDown alert on every node since -Utc and returns them; the VIP must not have moved.
    function Assert-SharedFailureAlert([datetime]$Utc, [double]$SinceMonoMs, [string]$Pattern) {
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        do {
            Start-Sleep -Milliseconds 200
            $alerts = @(foreach ($n in 'kdc1', 'kdc2') {
                    Get-KdcHaLabMonitorEvent -Lab $lab -Node $n | Where-Object { $_.EventType -eq 'AllKdcsDown' -and -not $_.Resolved -and $_.Timestamp -ge $Utc }
                })
        } while (@($alerts.Node | Sort-Object -Unique).Count -lt 2 -and [DateTime]::UtcNow -lt $deadline)
        Start-Sleep -Seconds 1
        $alerts = @(foreach ($n in 'kdc1', 'kdc2') {
                Get-KdcHaLabMonitorEvent -Lab $lab -Node $n | Where-Object { $_.EventType -eq 'AllKdcsDown' -and -not $_.Resolved -and $_.Timestamp -ge $Utc }
            })
        Write-Host ("AllKdcsDown on {0}: {1}" -f ($alerts.Node -join ', '), $alerts[0].Message)
        $alerts.Count | Should -Be 2 -Because 'each monitor raises the shared failure once'
        $alerts.Severity | Should -Be @('Critical', 'Critical')
        foreach ($alert in $alerts) { $alert.Message | Should -Match $Pattern }
        $moves = @(Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.MonoMs -ge $SinceMonoMs })
        $moves.Count | Should -Be 0 -Because 'a KDC on the same directory fails alike: moving the VIP helps nobody'
        (Get-KdcHaLabVipHolder -Lab $lab) | Should -Be 'kdc1'
    }
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Start-KdcHaMonitor with the KDCs on one LDAP directory' -Tag Lab {
    AfterEach {
        $slapd = Get-KdcHaLabDirectory -Lab $lab
        if (-not $slapd.Alive) { $null = Start-KdcHaLabDirectory -Lab $lab -Node ldap1 } elseif ($slapd.Stopped) { $null = Resume-KdcHaLabDirectory -Lab $lab -Node ldap1 }
        Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module
    }

    It 'KeepsTheVipAndBlamesTheDirectoryWhenSlapdIsKilled' {
        $since = Get-KdcHaLabMonotonicMs
        $fault = Stop-KdcHaLabDirectory -Lab $lab -Node ldap1
        Assert-SharedFailureAlert -Utc $fault.Utc -SinceMonoMs $since -Pattern 'DatabaseUnavailable\): the failure is shared and most likely the directory'
    }

    It 'KeepsTheVipAndNamesASharedCauseWhenSlapdHangs' {
        $since = Get-KdcHaLabMonotonicMs
        $fault = Suspend-KdcHaLabDirectory -Lab $lab -Node ldap1
        Assert-SharedFailureAlert -Utc $fault.Utc -SinceMonoMs $since -Pattern 'Timeout\): the failure is shared, likely the directory or database they all wait on'
    }
}
