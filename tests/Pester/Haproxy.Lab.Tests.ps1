#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# The HAProxy shape end to end: keepalived (New-KdcHaKeepalivedConfig) floats the VIP between two HAProxy nodes, each
# running haproxy from New-KdcHaHaproxyConfig in front of three KDCs, and each KDC's monitor answers the agent check.
# A client runs kinit over TCP only (udp_preference_limit = 1) through the VIP the whole time.
#
# Five namespaces, each with a pwsh monitor, are too much for the 2-core lab machine, so haproxy runs on two of the KDC
# nodes (kdc1, kdc2), as a small estate would. A krb5kdc listening on the wildcard address holds port 88 there, so the
# frontend listens on port 1088 (the VIP and the node's own address); a dedicated HAProxy node would use 88.
#
# KDCHA_HAPROXY_PLANT turns a feature off to show the assertions fail without it: NoAgentCheck leaves agent-check out of
# haproxy.cfg; NoFrontend starts the HAProxy nodes' monitors without -LocalFrontend/-PeerFrontend.

BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:plant = $env:KDCHA_HAPROXY_PLANT
    $script:port = 1088
    $script:agentPort = 8788

    function Get-Server([string] $Proxy, $Kdc) {
        Get-KdcHaLabHaproxyServer -Lab $lab -Node $Proxy | Where-Object Server -EQ $Kdc.Address
    }

    function Get-FailedKinit($Attempts) { @($Attempts | Where-Object ExitCode -NE 0) }

    function Format-Attempt($Attempts) { ($Attempts | ForEach-Object { "#$($_.Seq) at $($_.StartMonoMs) exit $($_.ExitCode) in $($_.DurationMs) ms" }) -join '; ' }

    $script:lab = New-KdcHaLab -KdcCount 3 -ClientCount 1
    $script:proxies = $lab.Kdcs[0], $lab.Kdcs[1]
    $script:backend = $lab.Kdcs[2]
    foreach ($n in $proxies) {
        # The node without the VIP binds it too, as haproxy.cfg's header says.
        $null = Invoke-KdcHaLabCommand -Lab $lab -Node $n -FilePath sysctl -ArgumentList '-q', '-w', 'net.ipv4.ip_nonlocal_bind=1'
        $config = New-KdcHaLabMonitorKeepalivedConfig -Lab $lab -Node $n -ModulePath $module -Priority @{ kdc1 = 200; kdc2 = 100 }[$n.Name]
        $null = Start-KdcHaLabKeepalived -Lab $lab -Node $n -ConfigText $config
        $haproxy = New-KdcHaHaproxyConfig -Kdc @($lab.Kdcs | ForEach-Object Address) -VirtualAddress $lab.Vip, $n.Address -Port $port -Realm $lab.Realm `
            -AgentPort $agentPort -AgentIntervalMilliseconds 100 -CheckIntervalMilliseconds 200 -StatsSocket (Join-Path $n.Directory 'haproxy.sock')
        if ($plant -eq 'NoAgentCheck') { $haproxy = $haproxy -replace ' agent-check agent-port \d+ agent-inter \d+', '' }
        $null = Start-KdcHaLabHaproxy -Lab $lab -Node $n -ConfigText $haproxy
    }
    foreach ($n in $lab.Kdcs) {
        # A probe every 100 ms: a hung KDC is down after two 100 ms timeouts, and HAProxy asks the agent every 100 ms,
        # which keeps the whole path within 0.5 s (the default 200 ms interval can take longer).
        $parameter = @{ AgentCheckAddress = "$($n.Address):$agentPort"; IntervalMilliseconds = 100; TimeoutMilliseconds = 100 }
        if ($n -in $proxies -and $plant -ne 'NoFrontend') {
            # The node's own address: on the node without the VIP, the VIP leads to the other node's haproxy.
            $parameter.LocalFrontend = "$($n.Address):$port"
            $parameter.PeerFrontend = @($proxies | Where-Object Name -NE $n.Name | ForEach-Object { "$($_.Address):$port" })
        }
        $null = Start-KdcHaLabMonitor -Lab $lab -Node $n -ModulePath $module -Parameter $parameter
    }
    foreach ($n in $lab.Kdcs) { $null = Wait-KdcHaLabMonitor -Lab $lab -Node $n }
    # Until keepalived has seen a fresh heartbeat on both nodes, the one that saw it first outranks the other.
    $deadline = [DateTime]::UtcNow.AddSeconds(15)
    foreach ($n in $proxies) {
        while ((Select-String -LiteralPath $n.KeepalivedLog -Pattern 'VRRP_Script\(kdcha_monitor_alive\) (succeeded|failed)' | Select-Object -Last 1).Line -match 'failed') {
            if ([DateTime]::UtcNow -gt $deadline) { throw "keepalived on $($n.Name) never found the monitor's heartbeat fresh." }
            Start-Sleep -Milliseconds 100
        }
    }
    $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1
    $null = Start-KdcHaLabVipWatcher -Lab $lab
    foreach ($p in $proxies) { foreach ($k in $lab.Kdcs) { $null = Wait-KdcHaLabHaproxyServer -Lab $lab -Node $p -Server $k.Address -Status UP } }
    $script:tcpConf = New-KdcHaLabKrb5Conf -Lab $lab -Kdc "$($lab.Vip):$port" -UdpPreferenceLimit 1
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'HAProxy behind keepalived in front of three KDCs with monitors answering the agent check' -Tag Lab {
    It 'PassesKinitOverTcpOnlyThroughTheVipToEveryKdc' {
        $before = @{}; foreach ($k in $lab.Kdcs) { $before[$k.Name] = (Get-Server kdc1 $k).TotalSessions }

        $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 10 -Krb5Conf $tcpConf
        Start-Sleep -Seconds 2
        $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab)

        $attempts.Count | Should -BeGreaterThan 10
        # The client's only KDC is the VIP's port 1088, where nothing answers UDP: each kinit that succeeds went over TCP.
        Get-FailedKinit $attempts | Should -BeNullOrEmpty -Because (Format-Attempt (Get-FailedKinit $attempts))
        foreach ($k in $lab.Kdcs) { (Get-Server kdc1 $k).TotalSessions | Should -BeGreaterThan $before[$k.Name] -Because "leastconn spreads the TCP exchanges over $($k.Name) too" }
    }

    It 'GivesAHungKdcNoNewConnectionsWithinHalfASecondAndFailsOnlyTheKinitsItHeld' {
        $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 10 -Krb5Conf $tcpConf
        try {
            Start-Sleep -Seconds 1
            $sessionsBefore = (Get-Server kdc1 $backend).TotalSessions
            $fault = Suspend-KdcHaLabKdc -Lab $lab -Node $backend
            try {
                $down = Wait-KdcHaLabHaproxyServer -Lab $lab -Node kdc1 -Server $backend.Address -Status DOWN -TimeoutMs 5000
                Start-Sleep -Seconds 2
                $after = Get-Server kdc1 $backend
            } finally { $null = Resume-KdcHaLabKdc -Lab $lab -Node $backend }
        } finally { $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab) }
        $null = Wait-KdcHaLabHaproxyServer -Lab $lab -Node kdc1 -Server $backend.Address -Status UP

        $downMs = $down.MonoMs - $fault.MonoMs
        Write-Host "hung backend: DOWN after $downMs ms ($($down.Status), agent: $($down.AgentStatus)); sessions it took while hung: $($down.TotalSessions - $sessionsBefore); failed kinits: $((Get-FailedKinit $attempts).Count) of $($attempts.Count)"
        $downMs | Should -BeLessOrEqual 500 -Because "the monitor's agent says down #Timeout within its fall count; HAProxy's own check would wait for its check timeouts ($($down.Status), agent $($down.AgentStatus))"
        $after.TotalSessions | Should -Be $down.TotalSessions -Because 'a server that is down gets no new connection'
        $late = @(Get-FailedKinit $attempts | Where-Object StartMonoMs -GT $down.MonoMs)
        $late | Should -BeNullOrEmpty -Because "every kinit that started after the KDC was marked down goes to a live KDC: $(Format-Attempt $late)"
        (Get-FailedKinit $attempts).Count | Should -BeLessOrEqual ($down.TotalSessions - $sessionsBefore) -Because 'only an exchange that the hung KDC held can fail'
    }

    It 'DrainsAKdcInMaintenanceOnBothHaproxyNodes' {
        $flag = Join-Path (Get-KdcHaLabMonitorStateDirectory -Lab $lab -Node $backend) 'maintenance-KDC_VIP'
        $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 10 -Krb5Conf $tcpConf
        try {
            Start-Sleep -Seconds 1
            # What Move-KdcVip writes for the node's instance (the monitor's agent reads every maintenance-* flag).
            $set = Get-KdcHaLabMonotonicMs
            [IO.File]::WriteAllText($flag, "1`n")
            try {
                $drained = foreach ($p in $proxies) { Wait-KdcHaLabHaproxyServer -Lab $lab -Node $p -Server $backend.Address -Status DRAIN -TimeoutMs 3000 }
                Start-Sleep -Seconds 2
                $after = Get-Server kdc1 $backend
            } finally { [IO.File]::WriteAllText($flag, "0`n") }
        } finally { $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab) }
        foreach ($p in $proxies) { $null = Wait-KdcHaLabHaproxyServer -Lab $lab -Node $p -Server $backend.Address -Status UP }

        Write-Host "maintenance: DRAIN after $(($drained | ForEach-Object { $_.MonoMs - $set }) -join ', ') ms; failed kinits: $((Get-FailedKinit $attempts).Count) of $($attempts.Count)"
        $drained.Status | Should -Be 'DRAIN (agent)', 'DRAIN (agent)'
        $after.TotalSessions | Should -Be $drained[0].TotalSessions -Because 'a drained server gets no new connection'
        Get-FailedKinit $attempts | Should -BeNullOrEmpty -Because "the other KDCs take the new exchanges: $(Format-Attempt (Get-FailedKinit $attempts))"
    }

    # Last: it leaves kdc2 holding the VIP, with kdc1's haproxy gone.
    It 'MovesTheVipWhenHaproxyDiesOnTheVipHolder' {
        $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 10 -Krb5Conf $tcpConf
        try {
            Start-Sleep -Seconds 1
            $record = Get-KdcHaLabProcess -Lab $lab | Where-Object Key -EQ 'kdc1.haproxy'
            $killed = Get-KdcHaLabMonotonicMs
            $null = Invoke-KdcHaLabCommand -Lab $lab -FilePath kill -ArgumentList '-KILL', "$($record.Pid)"
            $moved = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $killed -TimeoutSec 5 -AllowTimeout
            Start-Sleep -Seconds 2
        } finally { $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab) }

        $failed = Get-FailedKinit $attempts
        $window = if ($moved) { $moved.MonoMs - $killed } else { [double]::NaN }
        Write-Host "haproxy killed on kdc1: VIP on kdc2 after $window ms; failed kinits: $($failed.Count) of $($attempts.Count) ($(Format-Attempt $failed))"
        $moved | Should -Not -BeNullOrEmpty -Because "kdc1's monitor finds its own frontend refused while kdc2's answers, and faults kdc1`n$((Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc1 | Where-Object Class -In 'HealthChangedEvent', 'FaultChangedEvent' | ForEach-Object Message) -join "`n")"
        $window | Should -BeLessOrEqual 1000 -Because 'a refused frontend is down at once, and keepalived acts on the fault file as it changes'
        $late = @($failed | Where-Object StartMonoMs -GT ($moved.MonoMs + 100))
        $late | Should -BeNullOrEmpty -Because "once kdc2 holds the VIP its haproxy serves every kinit: $(Format-Attempt $late)"

        $cluster = Get-KdcHaStatus -StateDirectory @($proxies | ForEach-Object { Get-KdcHaLabMonitorStateDirectory -Lab $lab -Node $_ })
        $seen = ($cluster.Nodes | Where-Object Node -EQ 'kdc1').Frontends
        ($seen | Where-Object IsLocal).State | Should -Be 'Down' -Because "Get-KdcHaStatus shows kdc1's own frontend as its monitor sees it: $($seen | Out-String)"
        ($seen | Where-Object { -not $_.IsLocal }).State | Should -Be 'Up'
        $cluster.Problems | Where-Object { $_ -like 'kdc1: HAProxy frontend *:1088 is down since*' } | Should -Not -BeNullOrEmpty -Because ($cluster.Problems -join "`n")
        $cluster.Serving | Should -Be 'kdc2'
    }
}
