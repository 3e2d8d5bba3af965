#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Start-KdcHaMonitor against hostile KDCs: Fixtures/hostile-kdc.py answers the local KDC's address and seven peers'
# (127.0.0.2 to 127.0.0.9, one port) with generated hostile replies over UDP and TCP, from a fixed seed, until
# 10,000 of them have reached the monitor's sockets (eight KDCs, so that many come in well under a minute). The
# local KDC and three peers never send the probe to TCP, so they meet the UDP bursts; the other four do, so they
# are probed over TCP. The monitor runs in a child pwsh at
# the Authenticated level with the responder's keytab, so after pre-authentication the responder also answers in
# the probe's own key: valid AS-REPs, and AS-REPs with the wrong nonce, key usage, plaintext or fields. The monitor
# must stay Running, keep its heartbeat fresh and not grow by 50 MB. No lab: keepalived is not needed to watch the
# monitor (its track files are only written), and nothing here needs root.

BeforeAll {
    $script:workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-hostile-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $stateDirectory = Join-Path $workDir 'state'
    New-Item -ItemType Directory -Path $stateDirectory | Out-Null
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $pwshArgv = @([Environment]::ProcessPath) + @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -match '^dotnet') { Join-Path $PSHOME 'pwsh.dll' })

    $replyCount = 10000
    $intervalMs = 20
    $runLimit = [TimeSpan]::FromSeconds(80)
    # A responder that no probe reaches within this long never will: the run ends there and fails.
    $firstRequestLimit = [TimeSpan]::FromSeconds(15)
    # The heartbeat age at which keepalived lowers the node's priority (New-KdcHaKeepalivedConfig's default).
    $keepalivedStaleMs = 1000
    $realm = 'HOSTILE.TEST'
    $principal = 'kdcha-probe/node1'
    $keytab = Join-Path $workDir 'probe.keytab'
    $responderStatusPath = Join-Path $workDir 'responder.json'
    $eventCounts = Join-Path $workDir 'events.json'
    # What a KDC holding the probe's key answers after pre-authentication (the fixture's IN_THE_PROBES_KEY).
    $kindsInTheProbesKey = 'as-rep-valid', 'as-rep-wrong-nonce', 'as-rep-wrong-usage', 'as-rep-hostile-plaintext', 'as-rep-hostile-fields'

    function Start-Child([string[]] $Argv) {
        $psi = [Diagnostics.ProcessStartInfo]::new($Argv[0])
        foreach ($a in $Argv | Select-Object -Skip 1) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        [Diagnostics.Process]::Start($psi)
    }

    function Read-Json([string] $Path) {
        try { Get-Content -Raw -LiteralPath $Path -ErrorAction Stop | ConvertFrom-Json } catch { $null }
    }

    function Get-RssMB([int] $ProcessId) {
        $line = Get-Content "/proc/$ProcessId/status" -ErrorAction Ignore | Where-Object { $_ -like 'VmRSS:*' }
        if ($line) { [long]($line -replace '\D', '') / 1024 } else { $null }
    }

    function Get-HeartbeatAgeMs {
        $heartbeat = Get-Item -LiteralPath (Join-Path $stateDirectory 'heartbeat') -ErrorAction Ignore
        if ($heartbeat) { ([DateTime]::UtcNow - $heartbeat.LastWriteTimeUtc).TotalMilliseconds } else { [double]::PositiveInfinity }
    }

    $clock = [Diagnostics.Stopwatch]::StartNew()
    $addresses = @(2..5 | ForEach-Object { "127.0.0.$_/udp" }) + @(6..9 | ForEach-Object { "127.0.0.$_" })
    $script:responder = Start-Child (@('/usr/bin/python3', "$PSScriptRoot/Fixtures/hostile-kdc.py", $responderStatusPath, $keytab, $principal, $realm, '20261203', "$replyCount") + $addresses)
    while (-not ($status = Read-Json $responderStatusPath) -and -not $responder.HasExited -and $clock.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 50 }
    if (-not $status) { throw 'The hostile KDC did not start.' }
    $port = $status.port
    $peers = (3..9 | ForEach-Object { "'127.0.0.${_}:$port'" }) -join ','

    # -Rise 1: a single probe the monitor authenticates brings a KDC Up, so the HealthChanged events to Up count the
    # valid replies it took; every other reply must leave it Down without stopping it.
    $monitorScript = "Import-Module '$module'; `$counts = @{ AuthenticatedUp = 0 }; " +
        "Start-KdcHaMonitor -Node hostile -LocalKdc 127.0.0.2:$port -PeerKdc $peers -Realm $realm -Principal '$principal@$realm' -Keytab '$keytab' " +
        "-IntervalMilliseconds $intervalMs -TimeoutMilliseconds $intervalMs -Rise 1 -StateDirectory '$stateDirectory' -Duration '$($runLimit + [TimeSpan]::FromSeconds(30))' -Confirm:`$false | " +
        "ForEach-Object { `$counts[`$_.EventType]++; if (`$_.EventType -eq 'HealthChanged' -and `$_.State -eq 'Up' -and `$_.ProbeStatus -eq 'Healthy') { `$counts.AuthenticatedUp++ } }; " +
        "`$counts | ConvertTo-Json | Set-Content -LiteralPath '$eventCounts'"
    $script:monitor = Start-Child ($pwshArgv + @('-NoProfile', '-NonInteractive', '-Command', $monitorScript))

    # Sampled every 200 ms until the responder has delivered every reply, then for one more second: the monitor's
    # state throughout, its RSS from the first thousand replies on (start-up and JIT are not growth), the
    # heartbeat's age (with when it was oldest, to tell a start-up pause from a stall).
    $states = [Collections.Generic.List[string]]::new()
    $heartbeatAges = [Collections.Generic.List[double]]::new()
    $oldestHeartbeat = @{ AgeMs = 0; AtSeconds = 0 }
    $rssBaselineMB = $null
    $rssPeakMB = 0
    $finalSamplesFrom = $null
    $finalHeartbeatAgeMs = 0
    $rounds = 0
    while ($clock.Elapsed -lt $runLimit -and -not $monitor.HasExited) {
        Start-Sleep -Milliseconds 200
        $progress = Read-Json $responderStatusPath
        if ($clock.Elapsed -gt $firstRequestLimit -and $progress.udpRequests + $progress.tcpRequests -eq 0) { break }
        $current = Get-KdcHaMonitor -StateDirectory $stateDirectory -ErrorAction Ignore
        if (-not $current) { continue }
        $states.Add($current.State)
        $rounds = $current.Rounds
        $age = Get-HeartbeatAgeMs
        $heartbeatAges.Add($age)
        if ($age -gt $oldestHeartbeat.AgeMs) { $oldestHeartbeat = @{ AgeMs = $age; AtSeconds = $clock.Elapsed.TotalSeconds } }
        $rss = Get-RssMB $monitor.Id
        if ($null -eq $rssBaselineMB -and $progress.delivered -ge 1000) { $rssBaselineMB = $rss }
        if ($null -ne $rssBaselineMB -and $rss -gt $rssPeakMB) { $rssPeakMB = $rss }
        if ($null -ne $finalSamplesFrom) { $finalHeartbeatAgeMs = [Math]::Max($finalHeartbeatAgeMs, $age) }
        if ($progress.done -and $null -eq $finalSamplesFrom) { $finalSamplesFrom = $clock.Elapsed }
        if ($null -ne $finalSamplesFrom -and $clock.Elapsed - $finalSamplesFrom -ge [TimeSpan]::FromSeconds(1)) { break }
    }
    $duration = $clock.Elapsed
    $monitorAlive = -not $monitor.HasExited
    $replies = Read-Json $responderStatusPath
    $cpuSeconds = foreach ($child in $responder, $monitor) { if (-not $child.HasExited) { [Math]::Round($child.TotalProcessorTime.TotalSeconds, 1) } }

    if ($monitorAlive) {
        kill -TERM $monitor.Id
        $null = $monitor.WaitForExit(15000)
    }
    $monitorExit = if ($monitor.HasExited) { $monitor.ExitCode } else { $null }
    $events = Read-Json $eventCounts
    $figures = [ordered]@{
        Delivered = $replies.delivered; Sent = $replies.replies; Bounced = $replies.bounced; UdpRequests = $replies.udpRequests; TcpRequests = $replies.tcpRequests
        RssBaselineMB = [Math]::Round($rssBaselineMB, 1); RssGrowthMB = [Math]::Round($rssPeakMB - $rssBaselineMB, 1)
        FinalHeartbeatAgeMs = [Math]::Round($finalHeartbeatAgeMs); MaxHeartbeatAgeMs = [Math]::Round($oldestHeartbeat.AgeMs); MaxHeartbeatAtSeconds = [Math]::Round($oldestHeartbeat.AtSeconds, 1)
        Samples = $states.Count; MonitorRounds = $rounds; ResponderCpuSeconds = $cpuSeconds[0]; MonitorCpuSeconds = $cpuSeconds[1]; DurationSeconds = [Math]::Round($duration.TotalSeconds, 1)
    }
    Write-Host "hostile KDC run: $($figures | ConvertTo-Json -Compress)"
    Write-Host "reply kinds: $($replies.kinds | ConvertTo-Json -Compress); monitor events: $($events | ConvertTo-Json -Compress)"
}

AfterAll {
    foreach ($child in $script:monitor, $script:responder) {
        if ($child -and -not $child.HasExited) { $child.Kill($true); $null = $child.WaitForExit(5000) }
        if ($child) { $child.Dispose() }
    }
    Remove-Item -LiteralPath $script:workDir -Recurse -Force -ErrorAction Ignore
}

Describe 'Start-KdcHaMonitor against hostile peer KDCs' {
    It 'TakesTenThousandHostileRepliesWithinTheTimeBound' {
        $replies.delivered | Should -BeGreaterOrEqual $replyCount -Because 'replies that reached no open socket of the monitor prove nothing'
        $replies.done | Should -BeTrue
        $replies.udpRequests | Should -BeGreaterThan 0
        $replies.tcpRequests | Should -BeGreaterThan 0 -Because 'RESPONSE-TOO-BIG replies send the probe to TCP'
        $duration | Should -BeLessThan $runLimit
    }

    It 'MeetsRepliesInItsOwnKeyAfterPreAuthentication' {
        foreach ($kind in $kindsInTheProbesKey) {
            $replies.kinds.$kind | Should -BeGreaterThan 0 -Because "the responder answers pre-authenticated probes with $kind"
        }
        $events.AuthenticatedUp | Should -BeGreaterThan 0 -Because 'the valid AS-REPs in the probe key must authenticate, or the replies around them were never decrypted either'
    }

    It 'KeepsRunningThroughout' {
        $monitorAlive | Should -BeTrue
        $states.Count | Should -BeGreaterThan 10
        @($states | Where-Object { $_ -ne 'Running' }) | Should -BeNullOrEmpty
    }

    It 'KeepsItsHeartbeatFresh' {
        $finalHeartbeatAgeMs | Should -BeLessThan (2 * $intervalMs + 400)
        $oldestHeartbeat.AgeMs | Should -BeLessThan $keepalivedStaleMs -Because "keepalived would have lowered the priority of a live node ($([Math]::Round($oldestHeartbeat.AtSeconds, 1)) s into the run)"
    }

    It 'GrowsByLessThanFiftyMegabytes' {
        $rssBaselineMB | Should -Not -BeNullOrEmpty
        ($rssPeakMB - $rssBaselineMB) | Should -BeLessThan 50
    }

    It 'StopsCleanlyAfterwards' {
        $monitorExit | Should -Be 0
        $events.MonitorStarted | Should -Be 1
        $events.MonitorStopped | Should -Be 1
    }
}
