#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Issue 20: a node whose krb5kdc is down or restarting must not refuse clients at the VIP (ICMP port unreachable, a
# RST), since MIT's client gives up on a refusal at once and only retransmits after 1 s when nothing answers. The
# monitor owns an nftables table that drops KDC-port packets no socket would receive. Real keepalived, MIT krb5kdc,
# nft and kinit at 50/s through the VIP, over UDP and over TCP.
# KDCHA_PLANT_DROP_OFF=1 runs the same assertions with -DropWhileKdcDown:$false: every It must then fail.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:monitorParameter = if ($env:KDCHA_PLANT_DROP_OFF) { @{ DropWhileKdcDown = $false } } else { @{} }
    $script:lab = New-KdcHaLabMonitoredPair -ModulePath $module -MonitorParameter $monitorParameter
    $script:udpClients = $lab.ClientKrb5Conf
    $script:tcpClients = New-KdcHaLabKrb5Conf -Lab $lab -Kdc "$($lab.Vip):88" -UdpPreferenceLimit 1

    function Get-NodeTable([string]$Node) {
        @((Invoke-KdcHaLabCommand -Lab $lab -Node $Node -FilePath nft -ArgumentList 'list', 'tables').StdOut -split "`n" | Where-Object { $_ })
    }

    # Packets the table's drop rule matched so far; null when there is no table.
    function Get-Dropped([string]$Node) {
        $r = Invoke-KdcHaLabCommand -Lab $lab -Node $Node -FilePath nft -ArgumentList 'list', 'counter', 'inet', 'kdcha_monitor', 'dropped' -AllowFailure
        if ($r.ExitCode -eq 0 -and $r.StdOut -match 'packets (\d+)') { [long]$Matches[1] }
    }

    # kinit at 50/s through the VIP while $Fault runs; the attempts, with a line of figures for the log.
    function Invoke-UnderClientLoad([string]$Krb5Conf, [string]$What, [scriptblock]$Fault) {
        $dropped = Get-Dropped kdc1
        $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 50 -Krb5Conf $Krb5Conf
        try {
            Start-Sleep -Milliseconds 300
            & $Fault
            # Long enough for every retransmission (MIT's first comes after 1 s) to be answered.
            Start-Sleep -Milliseconds 1500
        } finally {
            $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab)
        }
        $failed = @($attempts | Where-Object ExitCode -NE 0)
        $result = [pscustomobject]@{ Attempts = $attempts.Count; Failed = $failed.Count; DroppedBefore = $dropped; DroppedAfter = (Get-Dropped kdc1) }
        Write-Host ("{0}: kinit {1} failed of {2}; kdc1 dropped {3} -> {4} packets" -f $What, $result.Failed, $result.Attempts, $result.DroppedBefore, $result.DroppedAfter)
        $result
    }
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Start-KdcHaMonitor -DropWhileKdcDown' -Tag Lab {
    BeforeEach { Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module -MonitorParameter $monitorParameter }

    It 'OwnsATableThatDropsNothingWhileTheKdcListens' {
        Get-NodeTable kdc1 | Should -Contain 'table inet kdcha_monitor'
        $r = Invoke-UnderClientLoad $udpClients 'no fault' { Start-Sleep -Milliseconds 700 }
        $r.Failed | Should -Be 0
        $r.DroppedBefore | Should -Not -BeNullOrEmpty
        $r.DroppedAfter | Should -Be $r.DroppedBefore -Because 'the rule matches only when no socket listens'
        @(Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc1 | Where-Object { $_.EventType -eq 'MonitorSourceFailed' -and $_.Source -like 'KDC port drop*' }) | Should -BeNullOrEmpty
    }

    It 'CostsNoKinitOverUdpWhenTheKdcRestartsFiveTimes' {
        $r = Invoke-UnderClientLoad $udpClients '5 KDC restarts, UDP clients' {
            for ($i = 0; $i -lt 5; $i++) { $null = Restart-KdcHaLabKdc -Lab $lab -Node kdc1; Start-Sleep -Milliseconds 600 }
        }
        $r.Failed | Should -Be 0
        ($r.DroppedAfter - $r.DroppedBefore) | Should -BeGreaterThan 0 -Because 'requests reached the port while nothing listened, and were dropped, not refused'
    }

    It 'CostsNoKinitOverTcpWhenTheKdcRestartsFiveTimes' {
        $r = Invoke-UnderClientLoad $tcpClients '5 KDC restarts, TCP clients' {
            for ($i = 0; $i -lt 5; $i++) { $null = Restart-KdcHaLabKdc -Lab $lab -Node kdc1; Start-Sleep -Milliseconds 600 }
        }
        $r.Failed | Should -Be 0
        ($r.DroppedAfter - $r.DroppedBefore) | Should -BeGreaterThan 0
    }

    It 'CostsNoKinitWhenTheHoldersKdcIsKilled' {
        $r = Invoke-UnderClientLoad $udpClients 'holder KDC killed, UDP clients' {
            $fault = Stop-KdcHaLabKdc -Lab $lab -Node kdc1 -Signal KILL
            $moved = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $fault.MonoMs
            Write-Host ("krb5kdc killed: the VIP moved after {0:0} ms" -f ($moved.MonoMs - $fault.MonoMs))
        }
        $r.Failed | Should -Be 0
        # How many requests fell in the kill's window (about 0.1-0.2 s until the VIP moved) is chance: none is
        # asserted. Once the VIP is gone, nothing more reaches the dead port to be dropped.
        $r.DroppedAfter | Should -Not -BeNullOrEmpty
        $afterMove = Get-Dropped kdc1
        Start-Sleep -Milliseconds 500
        Get-Dropped kdc1 | Should -Be $afterMove -Because 'the drop only ever matches while this node holds the VIP'
    }

    It 'LeavesNothingWhenTheMonitorStopsBy<Signal>' -ForEach @(@{ Signal = 'TERM' }, @{ Signal = 'KILL' }) {
        Get-NodeTable kdc1 | Should -Contain 'table inet kdcha_monitor'
        $stopped = Stop-KdcHaLabMonitor -Lab $lab -Node kdc1 -Signal $Signal
        $stopped.Exited | Should -BeTrue
        # On SIGKILL, nft reads EOF on its stdin and exits; the kernel then deletes the table it owned.
        $deadline = [DateTime]::UtcNow.AddSeconds(2)
        while ((Get-NodeTable kdc1) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Get-NodeTable kdc1 | Should -BeNullOrEmpty -Because "nft list tables in kdc1's namespace after SIGTERM or SIGKILL"
    }
}
