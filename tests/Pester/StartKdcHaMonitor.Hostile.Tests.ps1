#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Start-KdcHaMonitor against a hostile KDC: Fixtures/hostile-kdc.py answers the local and the peer KDC's address
# (127.0.0.2 and 127.0.0.3, one port) with 10,000 generated hostile replies over UDP and TCP, from a fixed seed.
# The monitor runs in a child pwsh at the Authenticated level (the responder's keytab, whose keys no reply matches)
# and must stay Running, keep its heartbeat fresh and not grow by 50 MB. No lab: keepalived is not needed to watch
# the monitor (its track files are only written), and nothing here needs root.

BeforeAll {
    $script:workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-hostile-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $stateDirectory = Join-Path $workDir 'state'
    New-Item -ItemType Directory -Path $stateDirectory | Out-Null
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $pwshArgv = @([Environment]::ProcessPath) + @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -match '^dotnet') { Join-Path $PSHOME 'pwsh.dll' })

    $replyCount = 10000
    $intervalMs = 50
    $runLimit = [TimeSpan]::FromMinutes(3)
    # The heartbeat age at which keepalived lowers the node's priority (New-KdcHaKeepalivedConfig's default).
    $keepalivedStaleMs = 1000
    $realm = 'HOSTILE.TEST'
    $principal = 'kdcha-probe/node1'
    $keytab = Join-Path $workDir 'probe.keytab'
    $responderStatusPath = Join-Path $workDir 'responder.json'
    $eventCounts = Join-Path $workDir 'events.json'

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
    $script:responder = Start-Child @('/usr/bin/python3', "$PSScriptRoot/Fixtures/hostile-kdc.py", $responderStatusPath, $keytab, $principal, $realm, '20261203', "$replyCount", '127.0.0.2', '127.0.0.3')
    while (-not ($status = Read-Json $responderStatusPath) -and -not $responder.HasExited -and $clock.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 50 }
    if (-not $status) { throw 'The hostile KDC did not start.' }
    $port = $status.port

    $monitorScript = "Import-Module '$module'; `$counts = @{}; " +
        "Start-KdcHaMonitor -Node hostile -LocalKdc 127.0.0.2:$port -PeerKdc 127.0.0.3:$port -Realm $realm -Principal '$principal@$realm' -Keytab '$keytab' " +
        "-IntervalMilliseconds $intervalMs -TimeoutMilliseconds 40 -StateDirectory '$stateDirectory' -Duration '$($runLimit + [TimeSpan]::FromSeconds(30))' -Confirm:`$false | " +
        "ForEach-Object { `$counts[`$_.EventType]++ }; `$counts | ConvertTo-Json | Set-Content -LiteralPath '$eventCounts'"
    $script:monitor = Start-Child ($pwshArgv + @('-NoProfile', '-NonInteractive', '-Command', $monitorScript))

    # Sampled every 200 ms until the responder has sent every reply, then for one more second: the monitor's state
    # throughout, its RSS from the first thousand replies on (start-up and JIT are not growth), the heartbeat's age.
    $states = [Collections.Generic.List[string]]::new()
    $heartbeatAges = [Collections.Generic.List[double]]::new()
    $rssBaselineMB = $null
    $rssPeakMB = 0
    $finalSamplesFrom = $null
    $finalHeartbeatAgeMs = 0
    while ($clock.Elapsed -lt $runLimit -and -not $monitor.HasExited) {
        Start-Sleep -Milliseconds 200
        $sent = (Read-Json $responderStatusPath).replies
        $current = Get-KdcHaMonitor -StateDirectory $stateDirectory -ErrorAction Ignore
        if (-not $current) { continue }
        $states.Add($current.State)
        $age = Get-HeartbeatAgeMs
        $heartbeatAges.Add($age)
        $rss = Get-RssMB $monitor.Id
        if ($null -eq $rssBaselineMB -and $sent -ge 1000) { $rssBaselineMB = $rss }
        if ($null -ne $rssBaselineMB -and $rss -gt $rssPeakMB) { $rssPeakMB = $rss }
        if ($null -ne $finalSamplesFrom) { $finalHeartbeatAgeMs = [Math]::Max($finalHeartbeatAgeMs, $age) }
        if ($sent -ge $replyCount -and $null -eq $finalSamplesFrom) { $finalSamplesFrom = $clock.Elapsed }
        if ($null -ne $finalSamplesFrom -and $clock.Elapsed - $finalSamplesFrom -ge [TimeSpan]::FromSeconds(1)) { break }
    }
    $duration = $clock.Elapsed
    $monitorAlive = -not $monitor.HasExited
    $replies = Read-Json $responderStatusPath

    if ($monitorAlive) {
        kill -TERM $monitor.Id
        $null = $monitor.WaitForExit(15000)
    }
    $monitorExit = if ($monitor.HasExited) { $monitor.ExitCode } else { $null }
    $events = Read-Json $eventCounts
    $figures = [ordered]@{
        RepliesSent = $replies.replies; UdpRequests = $replies.udpRequests; TcpRequests = $replies.tcpRequests
        RssBaselineMB = [Math]::Round($rssBaselineMB, 1); RssGrowthMB = [Math]::Round($rssPeakMB - $rssBaselineMB, 1)
        FinalHeartbeatAgeMs = [Math]::Round($finalHeartbeatAgeMs); MaxHeartbeatAgeMs = [Math]::Round(($heartbeatAges | Measure-Object -Maximum).Maximum)
        Samples = $states.Count; DurationSeconds = [Math]::Round($duration.TotalSeconds, 1)
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

Describe 'Start-KdcHaMonitor against a hostile peer KDC' {
    It 'SendsAllTenThousandRepliesWithinTheTimeBound' {
        $replies.replies | Should -Be $replyCount
        $replies.tcpRequests | Should -BeGreaterThan 0 -Because 'RESPONSE-TOO-BIG replies send the probe to TCP'
        $duration | Should -BeLessThan $runLimit
    }

    It 'KeepsRunningThroughout' {
        $monitorAlive | Should -BeTrue
        $states.Count | Should -BeGreaterThan 10
        @($states | Where-Object { $_ -ne 'Running' }) | Should -BeNullOrEmpty
    }

    It 'KeepsItsHeartbeatFresh' {
        $finalHeartbeatAgeMs | Should -BeLessThan (2 * $intervalMs + 400)
        ($heartbeatAges | Measure-Object -Maximum).Maximum | Should -BeLessThan $keepalivedStaleMs -Because 'keepalived would have lowered the priority of a live node'
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
