#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# A real Prometheus (Debian's prometheus package) scrapes both monitors of the lab's monitored pair every second,
# with the shipped rules loaded. kdc1 (the VIP holder) has its KDC hung: through Prometheus's HTTP API the hung
# KDC's up gauge must read 0 within two scrape intervals of the monitor's verdict, kdc1's failover counter must
# rise, kdc2 must show the VIP held, and the shipped KdcHaFailover alert must fire. promtool check metrics must
# pass on a scrape of each monitor. Prometheus runs in the root namespace on 127.0.0.1 with its own configuration
# and storage in a temporary directory, and is killed (by its pid) in AfterAll.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:rules = (Resolve-Path -LiteralPath "$PSScriptRoot/../../docs/prometheus/kdcha.rules.yml").Path
    $script:workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-prometheus-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path (Join-Path $workDir 'data') -Force | Out-Null
    $script:scrapeSeconds = 1

    function Get-FreePort {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }

    # One instant query; returns the result vector.
    function Invoke-PromQuery([string] $Query) {
        $answer = Invoke-RestMethod -Uri "http://$promAddress/api/v1/query" -Body @{ query = $Query } -TimeoutSec 5
        if ($answer.status -ne 'success') { throw "Prometheus refused '$Query': $($answer | ConvertTo-Json -Depth 5)" }
        @($answer.data.result)
    }

    function Wait-PromQuery([string] $Query, [scriptblock] $Until, [double] $TimeoutSec = 15, [int] $PollMs = 100) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        do {
            $result = Invoke-PromQuery $Query
            if (& $Until $result) { return [pscustomobject]@{ Utc = [DateTime]::UtcNow; Result = $result } }
            Start-Sleep -Milliseconds $PollMs
        } while ([DateTime]::UtcNow -lt $deadline)
        throw "'$Query' did not reach the expected value within $TimeoutSec s; last: $($result | ConvertTo-Json -Depth 5 -Compress)"
    }

    $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 0
    $priority = @{ kdc1 = 200; kdc2 = 100 }
    foreach ($n in $lab.Kdcs) {
        $config = New-KdcHaLabMonitorKeepalivedConfig -Lab $lab -Node $n -ModulePath $module -Priority $priority[$n.Name]
        $null = Start-KdcHaLabKeepalived -Lab $lab -Node $n -ConfigText $config
    }
    $null = Start-KdcHaLabVipWatcher -Lab $lab
    # Each monitor serves metrics on its node's address (port 9464); Restore leaves running monitors as they are.
    foreach ($n in $lab.Kdcs) { $null = Start-KdcHaLabMonitor -Lab $lab -Node $n -ModulePath $module -Parameter @{ MetricsAddress = $n.Address } }
    Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module

    $script:kdc1 = $lab.Kdcs | Where-Object Name -EQ 'kdc1'
    $script:kdc2 = $lab.Kdcs | Where-Object Name -EQ 'kdc2'
    $script:promAddress = "127.0.0.1:$(Get-FreePort)"
    $config = @"
global:
  scrape_interval: ${scrapeSeconds}s
  scrape_timeout: ${scrapeSeconds}s
  evaluation_interval: ${scrapeSeconds}s
rule_files:
  - '$rules'
scrape_configs:
  - job_name: kdcha
    static_configs:
      - targets: ['$($kdc1.Address):9464', '$($kdc2.Address):9464']
"@
    [IO.File]::WriteAllText((Join-Path $workDir 'prometheus.yml'), $config)
    $psi = [Diagnostics.ProcessStartInfo]::new('/usr/bin/prometheus')
    foreach ($a in "--config.file=$(Join-Path $workDir 'prometheus.yml')", "--storage.tsdb.path=$(Join-Path $workDir 'data')",
        "--web.listen-address=$promAddress", '--log.level=warn') { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardError = $true
    $psi.RedirectStandardOutput = $true
    $script:prometheus = [Diagnostics.Process]::Start($psi)
    $script:prometheusLog = $prometheus.StandardError.ReadToEndAsync()
    $null = $prometheus.StandardOutput.ReadToEndAsync()

    # Ready once both targets have been scraped successfully.
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    do {
        Start-Sleep -Milliseconds 250
        $targets = try { (Invoke-RestMethod -Uri "http://$promAddress/api/v1/targets" -TimeoutSec 2).data.activeTargets } catch { @() }
    } while (@($targets | Where-Object health -EQ 'up').Count -lt 2 -and [DateTime]::UtcNow -lt $deadline -and -not $prometheus.HasExited)
    $script:targetsUp = @($targets | Where-Object health -EQ 'up').Count
}

AfterAll {
    if ($prometheus -and -not $prometheus.HasExited) {
        $prometheus.Kill()
        $null = $prometheus.WaitForExit(10000)
    }
    if ($lab) { Remove-KdcHaLab -Lab $lab }
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
}

Describe 'Prometheus scraping the monitored pair' -Tag Lab {
    It 'ScrapesBothMonitorsAndLoadsTheShippedRules' {
        $targetsUp | Should -Be 2 -Because "Prometheus scrapes both monitors (log: $(if ($prometheus.HasExited) { $prometheusLog.Result }))"
        $groups = (Invoke-RestMethod -Uri "http://$promAddress/api/v1/rules" -TimeoutSec 5).data.groups
        @($groups.name | Sort-Object) | Should -Be @('kdcha.alerts', 'kdcha.recording')
        @($groups.rules | Where-Object health -NE 'ok') | Should -BeNullOrEmpty
    }

    It 'PassesPromtoolCheckMetricsOnAScrapeOfEachMonitor' {
        foreach ($n in $kdc1, $kdc2) {
            $response = Invoke-WebRequest -Uri "http://$($n.Address):9464/metrics" -TimeoutSec 5
            $response.Headers['Content-Type'] | Should -Be 'text/plain; version=0.0.4; charset=utf-8'
            $check = [Text.Encoding]::UTF8.GetString($response.RawContentStream.ToArray()) | & promtool check metrics 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($check -join "`n")
            $check | Should -BeNullOrEmpty
        }
    }

    It 'SeesTheHungKdcDownWithinTwoScrapesAndTheFailoverCounted' {
        $local = "kdcha_kdc_up{instance='$($kdc1.Address):9464',role='local'}"
        $failovers = "kdcha_failovers_total{instance='$($kdc1.Address):9464',reason='local_kdc_down'}"
        (Wait-PromQuery $local { param($r) $r.Count -eq 1 -and $r[0].value[1] -eq '1' } -TimeoutSec 10).Result.Count | Should -Be 1
        $before = [double](Invoke-PromQuery $failovers)[0].value[1]

        $fault = Suspend-KdcHaLabKdc -Lab $lab -Node kdc1
        try {
            $seen = Wait-PromQuery $local { param($r) $r.Count -eq 1 -and $r[0].value[1] -eq '0' }
            $status = Get-Content -Raw -LiteralPath (Join-Path (Get-KdcHaLabMonitorStateDirectory -Lab $lab -Node kdc1) 'status.json') | ConvertFrom-Json
            $down = ($status.Kdcs | Where-Object IsLocal).StateSince.ToUniversalTime()
            $sampleUtc = [DateTimeOffset]::FromUnixTimeMilliseconds([long]([double]$seen.Result[0].value[0] * 1000)).UtcDateTime
            $lag = ($seen.Utc - $down).TotalSeconds
            $figures = @($fault.Utc, $down, ($down - $fault.Utc).TotalMilliseconds, $seen.Utc, ($lag * 1000), $sampleUtc)
            Write-Host ("  KDC hung at {0:HH:mm:ss.fff}, monitor verdict Down at {1:HH:mm:ss.fff} ({2:0} ms), Prometheus query saw 0 at {3:HH:mm:ss.fff} ({4:0} ms after the verdict; query evaluated at {5:HH:mm:ss.fff})" -f $figures)
            # Two scrape intervals, plus the 100 ms between queries and the query itself.
            $lag | Should -BeLessThan (2 * $scrapeSeconds + 0.3) -Because 'the gauge reaches Prometheus at the next scrape after the verdict'

            $counted = Wait-PromQuery $failovers { param($r) $r.Count -eq 1 -and [double]$r[0].value[1] -gt $before } -TimeoutSec 5
            [double]$counted.Result[0].value[1] | Should -Be ($before + 1)
            (Invoke-PromQuery "kdcha_fault_asserted{instance='$($kdc1.Address):9464'}")[0].value[1] | Should -Be '1'
            # kdc2's keepalived took the VIP, as its notify FIFO tells its monitor.
            $null = Wait-PromQuery "sum(kdcha_vip_held{instance='$($kdc2.Address):9464'})" { param($r) $r.Count -eq 1 -and $r[0].value[1] -eq '1' } -TimeoutSec 10
            # The shipped rule without for: fires on the real counter.
            $null = Wait-PromQuery "ALERTS{alertname='KdcHaFailover',alertstate='firing',reason='local_kdc_down'}" { param($r) $r.Count -ge 1 } -TimeoutSec 10
        } finally {
            $null = Resume-KdcHaLabKdc -Lab $lab -Node kdc1
        }
    }
}
