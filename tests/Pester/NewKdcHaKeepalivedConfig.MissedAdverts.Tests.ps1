#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# How many missed adverts a backup waits out (New-KdcHaKeepalivedConfig -DownTimerAdverts): what it costs when the
# master's node goes silent (its link down), and what it buys under packet loss on the holder. Real keepalived and
# MIT krb5kdc in the lab, a monitor per node; the RFC's 3 missed adverts and the default in the same run.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:priority = @{ kdc1 = 200; kdc2 = 100 }
    $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 0
    $script:configs = @{ rfc = @{}; default = @{} }
    foreach ($n in 'kdc1', 'kdc2') {
        $configs.rfc[$n] = New-KdcHaLabMonitorKeepalivedConfig -Lab $lab -Node $n -ModulePath $module -Priority $priority[$n] -Parameter @{ DownTimerAdverts = 3 }
        $configs.default[$n] = New-KdcHaLabMonitorKeepalivedConfig -Lab $lab -Node $n -ModulePath $module -Priority $priority[$n]
    }
    $script:running = $null

    function Use-Configuration([string] $Name) {
        if ($script:running -eq $Name) { return }
        foreach ($n in 'kdc2', 'kdc1') {
            if (Get-KdcHaLabProcess -Lab $lab | Where-Object { $_.Key -eq "$n.keepalived" -and $_.Alive }) { $null = Stop-KdcHaLabKeepalived -Lab $lab -Node $n }
        }
        foreach ($n in 'kdc1', 'kdc2') { $null = Start-KdcHaLabKeepalived -Lab $lab -Node $n -ConfigText $configs[$Name][$n] }
        if (-not (Get-KdcHaLabProcess -Lab $lab | Where-Object { $_.Key -eq 'vip-watcher' -and $_.Alive })) { $null = Start-KdcHaLabVipWatcher -Lab $lab }
        Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module
        $script:running = $Name
    }

    # From kdc1's link going down (its node silent: no advert, no priority 0) until kdc2 holds the VIP.
    function Measure-SilentMasterTakeover {
        $interface = ($lab.Kdcs | Where-Object Name -EQ kdc1).Interface
        $down = Get-KdcHaLabMonotonicMs
        $null = Invoke-KdcHaLabCommand -Lab $lab -Node kdc1 -FilePath ip -ArgumentList 'link', 'set', 'dev', $interface, 'down'
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            do {
                $taken = Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.MonoMs -ge $down -and $_.Event -eq 'Added' -and $_.Node -eq 'kdc2' } | Select-Object -First 1
                if (-not $taken) { Start-Sleep -Milliseconds 20 }
            } while (-not $taken -and [DateTime]::UtcNow -lt $deadline)
        } finally {
            $null = Invoke-KdcHaLabCommand -Lab $lab -Node kdc1 -FilePath ip -ArgumentList 'link', 'set', 'dev', $interface, 'up'
        }
        $taken | Should -Not -BeNullOrEmpty -Because 'kdc2 must take over from a silent master'
        Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module
        $taken.MonoMs - $down
    }

    # VIP moves while kdc1, the holder, loses a share of everything it sends.
    function Measure-MovesUnderLoss([int] $Seconds) {
        $since = Get-KdcHaLabMonotonicMs
        $null = Set-KdcHaLabNetem -Lab $lab -Node kdc1 -LossPercent 30
        try { Start-Sleep -Seconds $Seconds } finally { Clear-KdcHaLabNetem -Lab $lab -Node kdc1 }
        Start-Sleep -Milliseconds 500
        @(Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.MonoMs -ge $since -and $_.Event -eq 'Added' }).Count
    }
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'New-KdcHaKeepalivedConfig missed adverts' -Tag Lab {
    It 'HoldsTheVipThroughThirtyPercentLossAndTakesOverFromASilentMasterWithinASecond' {
        Use-Configuration rfc
        $rfcTakeover = @(1..2 | ForEach-Object { Measure-SilentMasterTakeover })
        $rfcMoves = Measure-MovesUnderLoss -Seconds 20

        Use-Configuration default
        $config = Get-Content -Raw -LiteralPath ($lab.Kdcs | Where-Object Name -EQ kdc1).KeepalivedConfig
        $config | Should -Match '(?m)^\s+down_timer_adverts 8$'
        $defaultTakeover = @(1..2 | ForEach-Object { Measure-SilentMasterTakeover })
        $defaultMoves = Measure-MovesUnderLoss -Seconds 20

        Write-Host (("Silent master (link down): kdc2 took over after {0} ms with down_timer_adverts 3, {1} ms with the default 8; " +
            "30 % loss on the holder for 20 s: {2} VIP moves with 3, {3} with 8") -f
            (($rfcTakeover | ForEach-Object { '{0:0}' -f $_ }) -join ', '), (($defaultTakeover | ForEach-Object { '{0:0}' -f $_ }) -join ', '), $rfcMoves, $defaultMoves)
        $defaultMoves | Should -Be 0 -Because '8 adverts lost in a row at 30 % loss happen about once in 35 minutes'
        $defaultTakeover | ForEach-Object { $_ | Should -BeLessThan 1500 -Because '8 x 0.1 s + skew is 0.86 s' }
        $defaultTakeover | ForEach-Object { $_ | Should -BeGreaterThan 700 -Because 'the backup waits out 8 missed adverts' }
        ($rfcTakeover | Measure-Object -Maximum).Maximum | Should -BeLessThan ($defaultTakeover | Measure-Object -Minimum).Minimum
    }
}
