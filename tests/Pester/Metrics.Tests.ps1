#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Start-KdcHaMonitor -MetricsAddress without the lab: a monitor in a child pwsh probes two loopback ports nobody
# listens on (every probe Refused, so both KDCs go down), and serves /metrics and /status on a loopback port. The
# scrape must be text format 0.0.4 that Debian's promtool accepts, and /status the document of status.json. The shipped
# rules (docs/prometheus/kdcha.rules.yml) pass promtool check rules and their unit tests (promtool test rules).

BeforeAll {
    $script:workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-metrics-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $stateDirectory = Join-Path $workDir 'state'
    New-Item -ItemType Directory -Path $stateDirectory | Out-Null
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $pwshArgv = @([Environment]::ProcessPath) + @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -match '^dotnet') { Join-Path $PSHOME 'pwsh.dll' })

    function Get-FreePort {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }

    $script:port = Get-FreePort
    $script:address = "127.0.0.1:$port"
    $script:statusPath = Join-Path $stateDirectory 'status.json'
    $parameters = @{
        Node = 'metrics1'; LocalKdc = "127.0.0.1:$(Get-FreePort)"; PeerKdc = "127.0.0.1:$(Get-FreePort)"; Realm = 'KDCHA.TEST'
        Principal = 'kdcha-probe'; StateDirectory = $stateDirectory; NotifyFifo = (Join-Path $workDir 'notify.fifo')
        MetricsAddress = $address; Duration = '00:01:30'
    }
    $command = '$ErrorActionPreference = "Stop"; Import-Module $env:KDCHA_TEST_MODULE; $p = $env:KDCHA_TEST_PARAMETERS | ConvertFrom-Json -AsHashtable; ' +
        '$p.Duration = [TimeSpan]::Parse($p.Duration); Start-KdcHaMonitor @p -Confirm:$false | Out-Null'
    $psi = [Diagnostics.ProcessStartInfo]::new($pwshArgv[0])
    foreach ($a in @($pwshArgv | Select-Object -Skip 1) + '-NoProfile', '-NonInteractive', '-Command', $command) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardError = $true
    $psi.Environment['KDCHA_TEST_MODULE'] = $module
    $psi.Environment['KDCHA_TEST_PARAMETERS'] = $parameters | ConvertTo-Json -Compress
    $script:monitor = [Diagnostics.Process]::Start($psi)
    $script:monitorErrors = $monitor.StandardError.ReadToEndAsync()

    # Up once /status answers: the listener is bound and a round has run.
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    $script:ready = $false
    while (-not $ready -and [DateTime]::UtcNow -lt $deadline -and -not $monitor.HasExited) {
        try { $null = Invoke-WebRequest -Uri "http://$address/status" -TimeoutSec 2; $script:ready = $true } catch { Start-Sleep -Milliseconds 200 }
    }
}

AfterAll {
    if ($monitor -and -not $monitor.HasExited) {
        $monitor.Kill()
        $null = $monitor.WaitForExit(10000)
    }
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
}

Describe 'Start-KdcHaMonitor -MetricsAddress' {
    It 'ServesPrometheusText004ThatPromtoolAccepts' {
        $ready | Should -BeTrue -Because "the monitor serves http://$address/status (stderr: $(if ($monitor.HasExited) { $monitorErrors.Result }))"
        # Two rounds at least, so both KDCs have their verdict (Refused: down at once).
        Start-Sleep -Milliseconds 600
        $response = Invoke-WebRequest -Uri "http://$address/metrics" -TimeoutSec 5
        $response.StatusCode | Should -Be 200
        $response.Headers['Content-Type'] | Should -Be 'text/plain; version=0.0.4; charset=utf-8'
        $text = [Text.Encoding]::UTF8.GetString($response.RawContentStream.ToArray())
        $text | Should -Match '(?m)^kdcha_kdc_up\{kdc="127\.0\.0\.1:\d+",role="local"\} 0$'
        $text | Should -Match '(?m)^kdcha_probe_results_total\{kdc="127\.0\.0\.1:\d+",role="peer",status="Refused"\} [1-9]\d*$'
        $text | Should -Match '(?m)^kdcha_all_kdcs_down 1$'

        # promtool 2.42 reads the scrape from stdin.
        $check = $text | & promtool check metrics 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($check -join "`n")
        # promtool prints lint problems (wrong suffixes, units, missing help) without failing: there must be none.
        $check | Should -BeNullOrEmpty
    }

    It 'ServesTheStatusDocumentOfStatusJson' {
        $fromEndpoint = Invoke-RestMethod -Uri "http://$address/status" -TimeoutSec 5
        $fromFile = Get-Content -Raw -LiteralPath $statusPath | ConvertFrom-Json
        $fromEndpoint.Node | Should -Be 'metrics1'
        $fromEndpoint.ProcessId | Should -Be $monitor.Id
        $fromEndpoint.State | Should -Be 'Running'
        $fromEndpoint.Kdcs.Kdc | Should -Be $fromFile.Kdcs.Kdc
        [math]::Abs($fromEndpoint.Rounds - $fromFile.Rounds) | Should -BeLessOrEqual 2
    }

    It 'IsReadByGetKdcHaStatusUri' {
        $cluster = Get-KdcHaStatus -Uri "http://$address"
        $cluster.Nodes.Node | Should -Be 'metrics1'
    }

    It 'AnswersOnlyGetOfItsTwoPaths' {
        { Invoke-WebRequest -Uri "http://$address/metrics" -Method Post -TimeoutSec 5 } | Should -Throw -ExpectedMessage '*405*'
        { Invoke-WebRequest -Uri "http://$address/other" -TimeoutSec 5 } | Should -Throw -ExpectedMessage '*404*'
    }

    It 'RefusesAnAddressInUseWithMetricsUnavailable' {
        $taken = @{
            Node = 'metrics2'; LocalKdc = '127.0.0.1:9'; PeerKdc = '127.0.0.1:10'; Realm = 'KDCHA.TEST'; Principal = 'kdcha-probe'
            StateDirectory = (Join-Path $workDir 'state2'); NotifyFifo = (Join-Path $workDir 'notify2.fifo'); MetricsAddress = $address
            Duration = [TimeSpan]::FromSeconds(5)
        }
        { Start-KdcHaMonitor @taken -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'MetricsUnavailable,KdcHa.Commands.StartKdcHaMonitorCommand'
    }
}

Describe 'The shipped Prometheus rules' {
    BeforeAll {
        $script:rules = Join-Path $PSScriptRoot '../../docs/prometheus/kdcha.rules.yml'
        $script:ruleTests = Join-Path $PSScriptRoot '../Prometheus/kdcha.rules.test.yml'
    }

    It 'PassPromtoolCheckRules' {
        $out = & promtool check rules $rules 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Match 'SUCCESS: \d+ rules found'
    }

    It 'PassTheirUnitTestsWithPromtoolTestRules' {
        # promtool resolves rule_files against the test file's directory.
        $out = & promtool test rules $ruleTests 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
    }

    It 'HaveAUnitTestForEveryAlert' {
        $alerts = @(Select-String -LiteralPath $rules -Pattern '^\s*- alert: (\w+)' | ForEach-Object { $_.Matches[0].Groups[1].Value })
        $tested = @(Select-String -LiteralPath $ruleTests -Pattern '^\s*- alertname: (\w+)' | ForEach-Object { $_.Matches[0].Groups[1].Value } | Select-Object -Unique)
        $alerts.Count | Should -BeGreaterThan 8
        $alerts | Where-Object { $_ -notin $tested } | Should -BeNullOrEmpty
    }
}
