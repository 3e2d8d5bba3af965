#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# keepalived SIGKILLed on the VIP holder leaves the VIP on the interface; once the peer is master both nodes hold it
# until the holder's monitor, hearing the peer advertise while no keepalived runs here, releases the orphaned
# address. Real keepalived and MIT krb5kdc in the lab, a monitor per node, kinit at 5/s through the VIP.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:lab = New-KdcHaLabMonitoredPair -ModulePath $module
    # What keepalived was started with, to start it again after a kill.
    $script:config = @{}
    foreach ($n in $lab.Kdcs) { $config[$n.Name] = Get-Content -Raw -LiteralPath $n.KeepalivedConfig }
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Start-KdcHaMonitor with keepalived killed on the VIP holder' -Tag Lab {
    BeforeEach {
        foreach ($n in 'kdc1', 'kdc2') {
            if (-not (Get-KdcHaLabProcess -Lab $lab | Where-Object { $_.Key -eq "$n.keepalived" -and $_.Alive })) {
                $null = Start-KdcHaLabKeepalived -Lab $lab -Node $n -ConfigText $config[$n]
            }
        }
        Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module
    }

    It 'ReleasesTheOrphanedVipOnceThePeerIsMasterAndRejoinsWhenKeepalivedIsBack' {
        $runs = 3
        $doubleHeld = [Collections.Generic.List[double]]::new()
        $single = [Collections.Generic.List[double]]::new()
        $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 5
        try {
            for ($run = 1; $run -le $runs; $run++) {
                Start-Sleep -Milliseconds 500
                $kill = Stop-KdcHaLabKeepalived -Lab $lab -Node kdc1 -Signal KILL
                $moved = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $kill.MonoMs -TimeoutSec 5
                # keepalived may advertise before it adds the address, and then the orphan is gone before the peer holds it.
                $both = Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.MonoMs -ge $kill.MonoMs -and $_.MonoMs -le $moved.MonoMs -and $_.Holders.Count -eq 2 } | Select-Object -First 1
                $doubleHeld.Add($(if ($both) { $moved.MonoMs - $both.MonoMs } else { 0 }))
                $single.Add($moved.MonoMs - $kill.MonoMs)

                # The event reaches the monitor's log through its output pipe, a moment after the release itself.
                $deadline = [DateTime]::UtcNow.AddSeconds(3)
                do {
                    $orphaned = @(Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc1 | Where-Object { $_.EventType -eq 'OrphanedVip' -and $_.Timestamp -ge $kill.Utc })
                } while ($orphaned.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline -and -not (Start-Sleep -Milliseconds 50))
                $orphaned.Count | Should -Be 1
                $orphaned[0].Released | Should -BeTrue
                $orphaned[0].Severity | Should -Be 'Critical'
                $orphaned[0].Master | Should -Be ($lab.Kdcs | Where-Object Name -EQ kdc2).Address

                # Back: keepalived starts as BACKUP, outranks the peer and preempts; no orphan is seen while it runs.
                $restart = Get-KdcHaLabMonotonicMs
                $null = Start-KdcHaLabKeepalived -Lab $lab -Node kdc1 -ConfigText $config['kdc1']
                $null = Wait-KdcHaLabVipMove -Lab $lab -Node kdc1 -SinceMonoMs $restart -TimeoutSec 10
                Start-Sleep -Milliseconds 500
                @(Get-KdcHaLabVipHolder -Lab $lab) | Should -Be @('kdc1')
                @(Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc1 | Where-Object { $_.EventType -eq 'OrphanedVip' -and $_.Timestamp -ge $kill.Utc }).Count | Should -Be 1
            }
        } finally {
            $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab)
        }

        $median = { param($values) $sorted = @($values | Sort-Object); $sorted[[int][math]::Floor($sorted.Count / 2)] }
        Write-Host ("Orphaned VIP: both held it for {0} ms (median {1:0.#} ms); one holder {2} ms after the kill (median {3:0.#} ms); kinit {4} failed of {5}" -f
            (($doubleHeld | ForEach-Object { '{0:0.#}' -f $_ }) -join ', '), (& $median $doubleHeld),
            (($single | ForEach-Object { '{0:0}' -f $_ }) -join ', '), (& $median $single),
            @($attempts | Where-Object ExitCode -NE 0).Count, $attempts.Count)
        $doubleHeld | ForEach-Object { $_ | Should -BeLessThan 1000 -Because 'one holder again within 1 s of the second one' }
        $attempts.Count | Should -BeGreaterThan 10
        @($attempts | Where-Object ExitCode -NE 0).Count | Should -Be 0 -Because 'the orphan holder keeps answering until the peer is master'
    }

    It 'NeverReleasesTheVipWhileKeepalivedRunsThoughThePeerAdvertisesAsMaster' {
        # kdc2 stops hearing kdc1's adverts and becomes master too, while kdc1's keepalived, alive, keeps the VIP:
        # kdc1's monitor hears kdc2 advertise the VIP and must leave it alone.
        $utc = [DateTime]::UtcNow
        $null = Set-KdcHaLabPartition -Lab $lab -From kdc1 -To kdc2 -Protocol Vrrp -OneWay
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while (@(Get-KdcHaLabVipHolder -Lab $lab).Count -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Start-Sleep -Seconds 1
            @(Get-KdcHaLabVipHolder -Lab $lab) | Should -Be @('kdc1', 'kdc2')
        } finally {
            Clear-KdcHaLabPartition -Lab $lab
        }
        @(Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc1 | Where-Object { $_.EventType -eq 'OrphanedVip' -and $_.Timestamp -ge $utc }) | Should -BeNullOrEmpty
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1 -TimeoutSec 5
    }
}
