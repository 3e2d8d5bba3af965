# Write-Progress of the cmdlets that take seconds, read from a PowerShell instance's progress stream: one activity id
# per cmdlet, the same in every process (the literals below are what scripts may rely on), and a Completed record at
# the end, also when the command fails. Targets are loopback only: closed 127.0.0.1 ports and a local HTTP receiver.
# Move-KdcVip's progress is asserted in the lab, in MoveKdcVip.Tests.ps1.
BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force
    if (-not ('NotificationReceiver' -as [type])) {
        Add-Type -Path (Join-Path $PSScriptRoot '../Lab/NotificationReceiver.cs')
    }
    $workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-progress-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $workDir | Out-Null

    function Get-FreePort([System.Net.Sockets.ProtocolType] $Protocol) {
        $type = if ($Protocol -eq 'Udp') { 'Dgram' } else { 'Stream' }
        $socket = [System.Net.Sockets.Socket]::new('InterNetwork', $type, $Protocol)
        try {
            $socket.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
            $socket.LocalEndPoint.Port
        }
        finally { $socket.Dispose() }
    }

    # Runs the script (its arguments after it) in a fresh runspace with the module; returns its output, progress
    # records and errors (a terminating error of a command lands there too: the runspace goes on to the end).
    function Invoke-WithProgress([string] $Script, [object[]] $Arguments = @()) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $env:KDCHA_MODULE_PATH).AddStatement().AddScript($Script)
            foreach ($argument in $Arguments) { $null = $ps.AddArgument($argument) }
            $output = $ps.Invoke()
            [pscustomobject]@{
                Output   = @($output)
                Progress = @($ps.Streams.Progress)
                Errors   = @($ps.Streams.Error)
            }
        }
        finally { $ps.Dispose() }
    }

    function New-Keytab([string] $Path, [string] $Principal) {
        "addent -password -p $Principal -k 1 -e aes256-cts-hmac-sha1-96`npassword`nwkt $Path`nquit`n" | ktutil | Out-Null
        if (-not (Test-Path -LiteralPath $Path)) { throw "ktutil did not write $Path" }
    }
}

AfterAll {
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
}

Describe 'Test-KdcHealth progress' {
    It 'ReportsEveryAnswerUnderOneActivityIdAndEndsWithCompleted' {
        $kdcs = 1..4 | ForEach-Object { "127.0.0.1:$(Get-FreePort Udp)" }
        $run = Invoke-WithProgress 'Test-KdcHealth -Kdc $args -Realm KDCHA.TEST -Transport Udp -TimeoutMilliseconds 500' $kdcs

        $run.Output.Count | Should -Be 4
        $run.Progress.Count | Should -BeGreaterThan 2
        $run.Progress.ActivityId | Sort-Object -Unique | Should -Be 878640442
        $run.Progress[-1].RecordType | Should -Be 'Completed'
        $processing = @($run.Progress | Where-Object RecordType -EQ 'Processing')
        $processing[0].StatusDescription | Should -Be '0 of 4 KDCs answered'
        $processing[-1].StatusDescription | Should -Be '4 of 4 KDCs answered'
        $processing[-1].PercentComplete | Should -Be 100
        $percents = @($processing.PercentComplete)
        ($percents -join ',') | Should -Be (($percents | Sort-Object) -join ',') -Because 'progress only moves forward'
    }

    It 'CompletesTheBarWhenAPrincipalMissingFromTheKeytabEndsTheCommand' -Skip:(-not (Get-Command ktutil -CommandType Application -ErrorAction Ignore)) {
        # The first KDC is probed (the bar shows), the second names a principal the keytab lacks: a terminating error.
        $keytab = Join-Path $workDir 'health.keytab'
        New-Keytab $keytab 'health@KDCHA.TEST'
        $targets = @(
            [pscustomobject]@{ Kdc = "127.0.0.1:$(Get-FreePort Udp)"; Principal = 'health@KDCHA.TEST' }
            [pscustomobject]@{ Kdc = "127.0.0.1:$(Get-FreePort Udp)"; Principal = 'absent@KDCHA.TEST' }
        )
        $run = Invoke-WithProgress 'param($Targets, $Keytab) $Targets | Test-KdcHealth -Keytab $Keytab -Transport Udp' $targets, $keytab

        $run.Errors.FullyQualifiedErrorId | Should -Contain 'PrincipalNotInKeytab,KdcHa.Commands.TestKdcHealthCommand'
        $run.Progress.Count | Should -BeGreaterThan 1
        $run.Progress.ActivityId | Sort-Object -Unique | Should -Be 878640442
        $run.Progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'WritesNoProgressWhenProgressPreferenceIsSilentlyContinue' {
        $run = Invoke-WithProgress 'Test-KdcHealth -Kdc $args[0] -Realm KDCHA.TEST -Transport Udp -ProgressAction SilentlyContinue' "127.0.0.1:$(Get-FreePort Udp)"
        $run.Output.Count | Should -Be 1
        $run.Progress | Should -BeNullOrEmpty
    }
}

Describe 'Send-KdcHaNotification progress' {
    BeforeAll {
        $port = Get-FreePort Tcp
        $receiver = [NotificationReceiver]::new($port)
        $env:KDCHA_PROGRESS_HOOK = "http://127.0.0.1:$port/hook"
        $config = Join-Path $workDir 'notification.json'
        @{
            spoolPath                = Join-Path $workDir 'spool'
            retryInitialDelaySeconds = 0.2
            retryMaxDelaySeconds     = 0.4
            channels                 = @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_PROGRESS_HOOK' })
        } | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $config
    }

    AfterAll {
        $receiver.Dispose()
        Remove-Item Env:KDCHA_PROGRESS_HOOK -ErrorAction Ignore
    }

    It 'ShowsTheWaitForARetriedDeliveryAndEndsWithCompleted' {
        # Refused connections until the receiver starts: the delivery waits through failed attempts.
        $receiver.StartAfter(1500)
        $run = Invoke-WithProgress 'Send-KdcHaNotification -Message "progress test" -ConfigurationPath $args[0] -TimeoutSec 20' $config

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Status | Should -Be 'Delivered'
        $run.Progress.ActivityId | Sort-Object -Unique | Should -Be 1102385298
        $run.Progress[-1].RecordType | Should -Be 'Completed'
        $waits = @($run.Progress | Where-Object RecordType -EQ 'Processing')
        $waits.CurrentOperation | Sort-Object -Unique | Should -Be 'Delivering'
        $waits | Where-Object StatusDescription -NotMatch '^1 notification\(s\) waiting for hook( \(attempt \d+ failed\))?; \d+ s left\.$' | Should -BeNullOrEmpty
        @($waits.StatusDescription | Where-Object { $_ -match 'attempt \d+ failed' }).Count | Should -BeGreaterThan 0
    }

    It 'CompletesTheBarWhenTheNotificationStaysPending' {
        $receiver.Stop()
        $run = Invoke-WithProgress 'Send-KdcHaNotification -Message "stays pending" -ConfigurationPath $args[0] -TimeoutSec 1' $config

        $run.Errors.FullyQualifiedErrorId | Should -Contain 'NotificationPending,KdcHa.Commands.SendKdcHaNotificationCommand'
        $run.Progress.ActivityId | Sort-Object -Unique | Should -Be 1102385298
        $run.Progress[-1].RecordType | Should -Be 'Completed'
    }
}

Describe 'Start-KdcHaMonitor progress' {
    It 'WritesItsEventsButNoProgressEvenOnATerminal' -Skip:(-not (Get-Command script -CommandType Application -ErrorAction Ignore)) {
        # Runs for days: events and verbose lines only, never a bar that would show a stale event. The monitor once
        # showed progress when its output was a terminal, so the child runs on a pseudo-terminal (util-linux script).
        $state = Join-Path $workDir 'monitor'
        New-Item -ItemType Directory -Path $state | Out-Null
        $kdcs = "127.0.0.1:$(Get-FreePort Udp)", "127.0.0.1:$(Get-FreePort Udp)"
        $child = Join-Path $workDir 'monitor.ps1'
        Set-Content -LiteralPath $child -Value @"
`$ps = [powershell]::Create()
`$null = `$ps.AddCommand('Import-Module').AddParameter('Name', '$env:KDCHA_MODULE_PATH').AddStatement().AddScript("Start-KdcHaMonitor -Node progress -LocalKdc $($kdcs[0]) -PeerKdc $($kdcs[1]) -Realm KDCHA.TEST -StateDirectory '$state' -Duration (New-TimeSpan -Seconds 2) -Confirm:```$false")
`$events = `$ps.Invoke()
"terminal=`$(-not [Console]::IsOutputRedirected) started=`$(`$events.EventType -contains 'MonitorStarted') stopped=`$(`$events.EventType -contains 'MonitorStopped') errors=`$(`$ps.Streams.Error.Count) progress=`$(`$ps.Streams.Progress.Count)"
"@
        $pwsh = @([Environment]::ProcessPath) + @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -match '^dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $report = script -qec "$($pwsh -join ' ') -NoProfile -NonInteractive -File $child" /dev/null | Select-String 'terminal='
        "$report" | Should -Match 'terminal=True started=True stopped=True errors=0 progress=0'
    }
}
