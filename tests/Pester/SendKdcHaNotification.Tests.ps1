# Send-KdcHaNotification and New-KdcHaNotificationChannel against real receivers on loopback, all started here and
# torn down in AfterAll/AfterEach: an HTTP listener, aiosmtpd (Debian's python3-aiosmtpd), a UDP syslog socket,
# and child pwsh processes killed with SIGKILL mid-delivery.
BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force
    if (-not ('NotificationReceiver' -as [type])) {
        Add-Type -Path (Join-Path $PSScriptRoot '../Lab/NotificationReceiver.cs')
    }

    $script:workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-notify-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $workDir | Out-Null
    $script:token = 'Tk-' + [guid]::NewGuid().ToString('N')

    function Get-FreeTcpPort {
        $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $probe.Start()
        try { $probe.LocalEndpoint.Port } finally { $probe.Stop() }
    }

    function New-TestConfiguration([object[]] $Channels, [string] $Name = [guid]::NewGuid().ToString('N')) {
        $dir = Join-Path $workDir $Name
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $path = Join-Path $dir 'notification.json'
        @{
            spoolPath                = Join-Path $dir 'spool'
            retryInitialDelaySeconds = 0.1
            retryMaxDelaySeconds     = 0.5
            channels                 = $Channels
        } | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $path
        $path
    }

    function Wait-Until([scriptblock] $Condition, [int] $Seconds = 30) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for: $Condition" }
            Start-Sleep -Milliseconds 50
        }
    }

    function Start-ChildPwsh([string] $Command) {
        $script = Join-Path $workDir "child-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $script -Value "Import-Module '$env:KDCHA_MODULE_PATH'`n$Command"
        # `dotnet pwsh` runs pwsh as a second process, which kill -9 of the first would miss; `dotnet pwsh.dll`
        # is one process, so the id is the pwsh that sends.
        $start = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        foreach ($argument in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $script) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        [System.Diagnostics.Process]::Start($start)
    }

    # Runs the command in a child pwsh and returns its standard output, where host output such as What if: lands.
    function Get-ChildOutput([string] $Command) {
        $child = Start-ChildPwsh $Command
        $output = $child.StandardOutput.ReadToEnd()
        $child.WaitForExit()
        $output
    }

    # Starts a child that sends $Count events named "$Prefix-<n>", waits for $KillWhen, then SIGKILLs the child.
    function Stop-SenderMidDelivery([string] $Config, [string] $Prefix, [int] $Count, [scriptblock] $KillWhen) {
        $child = Start-ChildPwsh "1..$Count | ForEach-Object { [pscustomobject]@{ Message = `"$Prefix `$_`"; EventId = `"$Prefix-`$_`" } } | Send-KdcHaNotification -ConfigurationPath '$Config' -TimeoutSec 600"
        try {
            Wait-Until $KillWhen
            kill -9 $child.Id
            $child.WaitForExit()
        }
        finally {
            if (-not $child.HasExited) { $child.Kill() }
        }
    }

    # A second process delivers what the killed one left; returns what it wrote to stdout.
    function Invoke-PendingDrain([string] $Config) {
        $drain = Start-ChildPwsh "Send-KdcHaNotification -Pending -ConfigurationPath '$Config' -TimeoutSec 60 | ForEach-Object Status"
        $output = $drain.StandardOutput.ReadToEndAsync()
        if (-not $drain.WaitForExit(90000)) {
            $drain.Kill()
            throw 'The draining process did not finish.'
        }
        $output.Result.Trim() -split '\s+'
    }

    # Every HTTP test starts from a listening receiver that answers 200 at once and has seen nothing.
    function Reset-Receiver {
        $receiver.Stop()
        $receiver.Release()
        $receiver.StatusCode = 200
        $receiver.ResponseBody = 'ok'
        $receiver.Requests.Clear()
        $receiver.Start()
    }

    # An in-session Slack channel whose webhook URL (carrying $token) exists only in this process's session store.
    function New-SessionChannel([string] $Name) {
        $url = ConvertTo-SecureString "http://127.0.0.1:$port/session/$token" -AsPlainText -Force
        New-KdcHaNotificationChannel -Name $Name -Type Slack -Credential ([pscredential]::new('slack', $url))
    }

    # Fails if the token shows in the text or in any file (name or content) under the spool, when one is given.
    function Assert-NoToken([string] $Text, [string] $Spool) {
        $Text | Should -Not -Match $token
        foreach ($file in $(if ($Spool) { Get-ChildItem -LiteralPath $Spool -Recurse -File -Force -ErrorAction Ignore })) {
            $file.Name | Should -Not -Match $token
            Get-Content -LiteralPath $file.FullName -Raw | Should -Not -Match $token
        }
    }

    $script:port = Get-FreeTcpPort
    $script:receiver = [NotificationReceiver]::new($port)
    $env:KDCHA_TEST_HOOK = "http://127.0.0.1:$port/hook/$token"
}

AfterAll {
    $receiver.Dispose()
    Remove-Item Env:KDCHA_TEST_HOOK -ErrorAction Ignore
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
}

Describe 'Send-KdcHaNotification over HTTP' {
    BeforeEach {
        Reset-Receiver
    }

    It 'delivers to a generic webhook and returns a typed result that serialises with names' {
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK' })
        $result = Send-KdcHaNotification -Message 'kdc1 down' -Severity Critical -Kind KdcUnhealthy -ConfigurationPath $config
        $result | Should -BeOfType ([KdcHa.Notification.NotificationDeliveryResult])
        $result.Status | Should -Be 'Delivered'
        $json = $result | ConvertTo-Json | ConvertFrom-Json
        $json.Severity | Should -Be 'Critical'
        $json.Kind | Should -Be 'KdcUnhealthy'
        $json.Timestamp.Kind | Should -Be 'Utc'
        $receiver.Requests.Count | Should -Be 1
        $request = @($receiver.Requests)[0]
        $request[0] | Should -Be $result.EventId
        ($request[2] | ConvertFrom-Json).message | Should -Be 'kdc1 down'
    }

    It 'shows the rendered payload under -WhatIf and sends and spools nothing' {
        $config = New-TestConfiguration @(@{ name = 'slack'; type = 'Slack'; url = 'env:KDCHA_TEST_HOOK' })
        # What if: lines go to the host, not to a stream, so they are read from a child's standard output.
        $output = Get-ChildOutput "Send-KdcHaNotification -Kind VrrpStateChanged -Instance VI_1 -OldState BACKUP -NewState MASTER -ConfigurationPath '$config' -WhatIf"
        $output | Should -Match 'POST env:KDCHA_TEST_HOOK'
        $output | Should -Match '"blocks"'
        $output | Should -Match 'VRRP instance VI_1 on .* changed from BACKUP to MASTER'
        $output | Should -Not -Match $token
        $receiver.Requests.Count | Should -Be 0
        Join-Path (Split-Path $config) 'spool' | Should -Not -Exist
    }

    It 'binds events from the pipeline by property name' {
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK' })
        $events = @(
            [pscustomobject]@{ Instance = 'VI_1'; OldState = 'BACKUP'; State = 'MASTER'; Kind = 'VrrpStateChanged'; Severity = 'Warning' }
            [pscustomobject]@{ Message = 'switchover done'; Kind = 'SwitchoverCompleted'; Id = 'chg-1042' }
        )
        $results = $events | Send-KdcHaNotification -ConfigurationPath $config
        $results.Status | Should -Be @('Delivered', 'Delivered')
        $bodies = @($receiver.Requests | ForEach-Object { $_[2] | ConvertFrom-Json })
        $bodies[0].newState | Should -Be 'MASTER'
        $bodies[0].instance | Should -Be 'VI_1'
        $bodies[1].id | Should -Be 'chg-1042'
    }

    It 'delivers every alert exactly once, in order, after the endpoint was down for 30 s' {
        $receiver.Stop()
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK' })
        $receiver.StartAfter(30000)
        # Backoff doubles from 1 s with jitter: the retry after the outage comes within about 60 s of the first send.
        $results = 1..8 | ForEach-Object { [pscustomobject]@{ Message = "alert $_"; EventId = "outage-$_" } } |
            Send-KdcHaNotification -ConfigurationPath $config -TimeoutSec 120
        $results.Status | Sort-Object -Unique | Should -Be 'Delivered'
        @($receiver.Requests | ForEach-Object { $_[0] }) | Should -Be @(1..8 | ForEach-Object { "outage-$_" })
        ($results | Measure-Object -Property Attempts -Maximum).Maximum | Should -BeGreaterThan 1
    }

    It 'loses nothing when the sender is killed with SIGKILL and another process drains the spool' {
        $receiver.Stop()
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK' })
        $lane = Join-Path (Split-Path $config) 'spool/hook'
        Stop-SenderMidDelivery -Config $config -Prefix crash -Count 10 -KillWhen { (Test-Path $lane) -and @(Get-ChildItem $lane -Filter *.json).Count -eq 10 }

        $receiver.Start()
        Invoke-PendingDrain $config | Should -Be (@('Delivered') * 10)
        @($receiver.Requests | ForEach-Object { $_[0] }) | Should -Be @(1..10 | ForEach-Object { "crash-$_" })
        @(Get-ChildItem $lane -Filter *.json).Count | Should -Be 0
    }

    It 'resends the notification in flight at the kill, with the same Idempotency-Key for the receiver to drop' {
        $receiver.Hang()
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK'; timeoutSeconds = 600 })
        Stop-SenderMidDelivery -Config $config -Prefix window -Count 3 -KillWhen { $receiver.Requests.Count -ge 1 }

        $receiver.Release()
        Invoke-PendingDrain $config | Should -Be (@('Delivered') * 3)
        $keys = @($receiver.Requests | ForEach-Object { $_[0] })
        $keys | Should -Be @('window-1', 'window-1', 'window-2', 'window-3')
        @($keys | Select-Object -Unique) | Should -Be @('window-1', 'window-2', 'window-3')
    }

    It 'keeps the webhook token out of every stream, the spool and the results, even when the endpoint echoes it' {
        $receiver.StatusCode = 500
        $receiver.ResponseBody = "internal error while posting to /hook/$token"
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK'; headers = @{ 'X-Auth' = 'env:KDCHA_TEST_HOOK' } })
        $all = Send-KdcHaNotification -Message 'redaction' -ConfigurationPath $config -TimeoutSec 2 -Verbose -ErrorAction Continue *>&1 | Out-String -Width 500
        $receiver.Requests.Count | Should -BeGreaterThan 0
        @($receiver.Requests)[0][1] | Should -Match $token
        $all | Should -Match 'NotificationPending|HTTP 500'
        $all | Should -Match '\*\*\*'
        Assert-NoToken $all (Join-Path (Split-Path $config) 'spool')
    }

    It 'reports a refused notification as NotificationRejected and sets it aside' {
        $receiver.StatusCode = 404
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK' })
        $result = Send-KdcHaNotification -Message 'gone' -ConfigurationPath $config -ErrorVariable failures -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Rejected'
        $failures[0].FullyQualifiedErrorId | Should -Be 'NotificationRejected,KdcHa.Commands.SendKdcHaNotificationCommand'
        @(Get-ChildItem (Join-Path (Split-Path $config) 'spool/hook/rejected') -Filter *.json).Count | Should -Be 1
    }
}

Describe 'Send-KdcHaNotification through the command channel' {
    It 'passes hostile text verbatim and executes none of it' {
        $dir = Join-Path $workDir 'command'
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $canary = Join-Path $dir 'canary'
        $hook = Join-Path $dir 'hook.sh'
        Set-Content -LiteralPath $hook -Value "#!/bin/sh`nprintf '%s' `"`$KDCHA_EVENT_MESSAGE`" > '$dir/message.txt'`ncat > '$dir/event.json'`n" -NoNewline
        chmod 700 $hook
        $hostile = "`$(touch $canary) ``touch $canary`` `$(rm -rf /) ; touch $canary `"double`" 'single'`nsecond line"
        $config = New-TestConfiguration @(@{ name = 'pager'; type = 'Command'; path = $hook; arguments = @($hostile) })

        $result = Send-KdcHaNotification -Message $hostile -Severity Critical -ConfigurationPath $config

        $result.Status | Should -Be 'Delivered'
        [IO.File]::ReadAllText("$dir/message.txt") | Should -BeExactly $hostile
        (Get-Content "$dir/event.json" -Raw | ConvertFrom-Json).message | Should -BeExactly $hostile
        $canary | Should -Not -Exist
    }
}

Describe 'Send-KdcHaNotification to mail and syslog' -Skip:(-not (Test-Path /usr/bin/aiosmtpd) -and (id -u) -ne '0') {
    It 'hands the alert to a real SMTP server on loopback' {
        if (-not (Test-Path /usr/bin/aiosmtpd)) {
            $env:DEBIAN_FRONTEND = 'noninteractive'
            apt-get install -y -qq --no-install-recommends python3-aiosmtpd | Out-Null
        }
        $smtpPort = Get-FreeTcpPort
        $maildir = Join-Path $workDir 'Maildir'
        $smtp = Start-Process -FilePath /usr/bin/python3 -ArgumentList '-m', 'aiosmtpd', '-n', '-l', "127.0.0.1:$smtpPort", '-c', 'aiosmtpd.handlers.Mailbox', $maildir -PassThru
        try {
            Wait-Until { try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $smtpPort).Dispose(); $true } catch { $false } }
            $config = New-TestConfiguration @(@{ name = 'mail'; type = 'Email'; server = '127.0.0.1'; port = $smtpPort; security = 'None'; from = 'kdcha@example.com'; to = @('oncall@example.com') })
            $result = Send-KdcHaNotification -Message 'VI_1 is MASTER on kdc2' -Title 'Failover' -Severity Warning -ConfigurationPath $config
            $result.Status | Should -Be 'Delivered'
            $mail = Get-Content (Get-ChildItem "$maildir/new" -File | Select-Object -First 1).FullName -Raw
            $mail | Should -Match 'Subject: \[KdcHa Warning\] Failover'
            $mail | Should -Match "X-KdcHa-Event-Id: $($result.EventId)"
        }
        finally {
            Stop-Process -Id $smtp.Id -Force -ErrorAction Ignore
        }
    }

    It 'sends well-formed RFC 5424 to a UDP syslog receiver' {
        $udp = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        try {
            $udp.Client.ReceiveTimeout = 5000
            $config = New-TestConfiguration @(@{ name = 'syslog'; type = 'Syslog'; transport = 'Udp'; server = '127.0.0.1'; port = $udp.Client.LocalEndPoint.Port })
            $result = Send-KdcHaNotification -Message 'kdc1 recovered' -Kind KdcRecovered -ComputerName kdc1 -ConfigurationPath $config
            $remote = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Any, 0)
            $line = [Text.Encoding]::UTF8.GetString($udp.Receive([ref] $remote))
            $line | Should -Match "^<30>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z kdc1 kdcha \d+ KdcRecovered \[kdcha@32473 id=`"$($result.EventId)`" [^\]]*\] \uFEFFkdc1 recovered$"
        }
        finally {
            $udp.Dispose()
        }
    }
}

Describe 'Notification configuration and channel errors' {
    It 'reports a missing configuration file as NotificationConfigurationNotFound' {
        { Send-KdcHaNotification -Message x -ConfigurationPath (Join-Path $workDir 'absent.json') } |
            Should -Throw -ErrorId 'NotificationConfigurationNotFound,KdcHa.Commands.SendKdcHaNotificationCommand'
    }

    It 'reads the configuration path from KDCHA_NOTIFICATION_CONFIG' {
        $env:KDCHA_NOTIFICATION_CONFIG = Join-Path $workDir 'from-env-absent.json'
        try {
            { Send-KdcHaNotification -Message x } | Should -Throw '*from-env-absent.json*'
        }
        finally {
            Remove-Item Env:KDCHA_NOTIFICATION_CONFIG
        }
    }

    It 'reports an unknown channel name as ChannelNotFound' {
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK' })
        { Send-KdcHaNotification -Message x -Channel 'nope*' -ConfigurationPath $config } |
            Should -Throw -ErrorId 'ChannelNotFound,KdcHa.Commands.SendKdcHaNotificationCommand'
    }

    It 'refuses a literal webhook URL as ChannelDefinitionInvalid' {
        New-KdcHaNotificationChannel -Name s -Type Slack -Url "https://hooks.slack.com/services/$token" -ErrorVariable bad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $bad[0].FullyQualifiedErrorId | Should -Be 'ChannelDefinitionInvalid,KdcHa.Commands.NewKdcHaNotificationChannelCommand'
        $bad[0].Exception.Message | Should -Not -Match $token
    }

    It 'RefusesAMailAddressThatWouldInjectAHeaderAsChannelDefinitionInvalid' {
        foreach ($bad in @{ From = "kdcha@example.com`r`nBcc: x@example.invalid"; To = 'oncall@example.com' }, @{ From = 'kdcha@example.com'; To = 'oncall@example.com', "b@example.com`nBcc: x@example.invalid" }) {
            New-KdcHaNotificationChannel -Name mail -Type Email -Server 127.0.0.1 @bad -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $refused[0].FullyQualifiedErrorId | Should -Be 'ChannelDefinitionInvalid,KdcHa.Commands.NewKdcHaNotificationChannelCommand'
            $refused[0].Exception.Message | Should -Match 'contains a line break'
            $refused[0].Exception.Message | Should -Not -Match "[`r`n]"
        }
    }

    It 'RefusesAHandEditedMailAddressWithALineBreakAsNotificationConfigurationInvalid' {
        $config = New-TestConfiguration @(@{ name = 'mail'; type = 'Email'; server = '127.0.0.1'; from = 'kdcha@example.com'; to = @("oncall@example.com`r`nBcc: x@example.invalid") })
        { Send-KdcHaNotification -Message x -ConfigurationPath $config } |
            Should -Throw -ErrorId 'NotificationConfigurationInvalid,KdcHa.Commands.SendKdcHaNotificationCommand'
    }

    It 'registers channels into an owner-only file that Send-KdcHaNotification then uses' {
        $path = Join-Path $workDir 'registered/notification.json'
        $channel = New-KdcHaNotificationChannel -Name ops -Type Webhook -Url env:KDCHA_TEST_HOOK -MinimumSeverity Warning -Register -ConfigurationPath $path
        $channel.Type | Should -Be 'Webhook'
        (Get-Item $path).UnixFileMode | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite')
        { New-KdcHaNotificationChannel -Name ops -Type Slack -Url env:X -Register -ConfigurationPath $path } |
            Should -Throw -ErrorId 'ChannelExists,KdcHa.Commands.NewKdcHaNotificationChannelCommand'
        $null = New-KdcHaNotificationChannel -Name ops -Type Webhook -Url env:KDCHA_TEST_HOOK -MinimumSeverity Critical -Register -Force -ConfigurationPath $path
        (Get-Content $path -Raw | ConvertFrom-Json).channels.minimumSeverity | Should -Be 'Critical'
    }

    It 'keeps -Credential passwords out of the object and refuses to register them' {
        $secret = ConvertTo-SecureString "pw-$token" -AsPlainText -Force
        $credential = [pscredential]::new('alerts', $secret)
        $mail = New-KdcHaNotificationChannel -Name mail -Type Email -Server 127.0.0.1 -From a@example.com -To b@example.com -Credential $credential
        $mail.Password | Should -Be 'session:mail.Password'
        $mail | ConvertTo-Json | Should -Not -Match $token
        { New-KdcHaNotificationChannel -Name mail -Type Email -Server 127.0.0.1 -From a@example.com -To b@example.com -Credential $credential -Register -ConfigurationPath (Join-Path $workDir 'never.json') } |
            Should -Throw -ErrorId 'SessionSecretNotPersistable,KdcHa.Commands.NewKdcHaNotificationChannelCommand'
    }
}

Describe 'Send-KdcHaNotification with channel objects' {
    BeforeEach {
        Reset-Receiver
    }

    It 'delivers through an in-session channel given to -Channel, next to a configured one by name' {
        $slack = New-SessionChannel 'ops'
        $slack.Url | Should -Be 'session:ops.Url'
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK' })
        $all = Send-KdcHaNotification -Message 'via session' -Channel 'hook', $slack -ConfigurationPath $config -Verbose *>&1
        $results = @($all | Where-Object { $_ -is [KdcHa.Notification.NotificationDeliveryResult] })
        ($results | Sort-Object Channel).Channel | Should -Be @('hook', 'ops')
        $results.Status | Should -Be @('Delivered', 'Delivered')
        @($receiver.Requests | ForEach-Object { $_[1] }) | Should -Contain "/session/$token"
        Assert-NoToken ($all | Out-String -Width 500) (Join-Path (Split-Path $config) 'spool')
    }

    It 'keeps the session secret out of every stream, error and spool file while the endpoint fails and echoes it' {
        $receiver.StatusCode = 503
        $receiver.ResponseBody = "upstream failed for /session/$token"
        $slack = New-SessionChannel 'ops'
        $config = New-TestConfiguration @()
        $all = Send-KdcHaNotification -Message 'kept' -Channel $slack -ConfigurationPath $config -TimeoutSec 2 -Verbose -ErrorAction Continue *>&1
        $text = $all | Out-String -Width 500
        $text | Should -Match "was not delivered to 'ops'"
        $text | Should -Match '\*\*\*'
        @(Get-ChildItem (Join-Path (Split-Path $config) 'spool/ops') -Filter *.json).Count | Should -Be 1
        Assert-NoToken $text (Join-Path (Split-Path $config) 'spool')
    }

    It 'reports what a killed process left for its in-session channel, then delivers it once the channel is passed again' {
        $config = New-TestConfiguration @()
        $receiver.Hang()
        $url = "http://127.0.0.1:$port/session/$token"
        $child = Start-ChildPwsh (
            "`$c = [pscredential]::new('slack', (ConvertTo-SecureString '$url' -AsPlainText -Force))`n" +
            "`$slack = New-KdcHaNotificationChannel -Name ops -Type Slack -Credential `$c`n" +
            "Send-KdcHaNotification -Message 'left behind' -EventId left-1 -Channel `$slack -ConfigurationPath '$config' -TimeoutSec 600")
        try {
            Wait-Until { $receiver.Requests.Count -gt 0 }
            kill -9 $child.Id
            $child.WaitForExit()
        }
        finally {
            if (-not $child.HasExited) { $child.Kill() }
        }
        $receiver.Release()
        $receiver.Requests.Clear()

        $elapsed = Measure-Command {
            $script:orphan = Send-KdcHaNotification -Pending -ConfigurationPath $config -TimeoutSec 30 -ErrorVariable failures -ErrorAction SilentlyContinue
        }
        $elapsed.TotalSeconds | Should -BeLessThan 10
        $orphan | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'SpoolChannelUnknown,KdcHa.Commands.SendKdcHaNotificationCommand'
        $failures[0].Exception.Message | Should -Match "channel 'ops'"
        Assert-NoToken ($failures | Out-String -Width 500) (Join-Path (Split-Path $config) 'spool')
        $receiver.Requests.Count | Should -Be 0

        $ghost = [KdcHa.Notification.NotificationChannelDefinition]@{ Name = 'ops'; Type = 'Slack'; Url = 'session:ops-elsewhere.Url' }
        { Send-KdcHaNotification -Pending -Channel $ghost -ConfigurationPath $config } |
            Should -Throw -ErrorId 'SecretUnavailable,KdcHa.Commands.SendKdcHaNotificationCommand'

        $result = Send-KdcHaNotification -Pending -Channel (New-SessionChannel 'ops') -ConfigurationPath $config
        $result.EventId | Should -Be 'left-1'
        $result.Status | Should -Be 'Delivered'
    }

    It 'refuses a -Channel value that is neither a name nor a channel object' {
        { Send-KdcHaNotification -Message 'x' -Channel ([pscustomobject]@{ Name = 'hook' }) -ConfigurationPath (New-TestConfiguration @()) } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,KdcHa.Commands.SendKdcHaNotificationCommand'
    }
}

Describe 'Test-KdcHaNotificationChannel' {
    BeforeEach {
        Reset-Receiver
    }

    It 'tests a configured channel by name every time, with the HTTP status and round trip, and spools nothing' {
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK'; minimumSeverity = 'Critical' })
        $first = Test-KdcHaNotificationChannel -Name 'ho*' -ConfigurationPath $config
        $second = Test-KdcHaNotificationChannel hook -ConfigurationPath $config
        $first | Should -BeOfType ([KdcHa.Notification.NotificationChannelTestResult])
        $first.Channel | Should -Be 'hook'
        $first.ChannelType | Should -Be 'Webhook'
        $first.Success | Should -BeTrue
        $first.Reply | Should -Be 'HTTP 200'
        $first.RoundTripMilliseconds | Should -BeGreaterOrEqual 0
        $first.RoundTripMs | Should -Be $first.RoundTripMilliseconds -Because 'the old name stays an alias'
        $first.Message | Should -BeNullOrEmpty
        $second.Success | Should -BeTrue
        $second.EventId | Should -Not -Be $first.EventId
        $receiver.Requests.Count | Should -Be 2
        (@($receiver.Requests)[0][2] | ConvertFrom-Json).kind | Should -Be 'ChannelTest'
        Join-Path (Split-Path $config) 'spool' | Should -Not -Exist
        ($first | ConvertTo-Json | ConvertFrom-Json).Timestamp.Kind | Should -Be 'Utc'
        $json = $first | ConvertTo-Json | ConvertFrom-Json
        $json.RoundTripMilliseconds | Should -Be $first.RoundTripMilliseconds
        $json.RoundTripMs | Should -Be $first.RoundTripMilliseconds -Because 'JSON readers of the old name keep working'
    }

    It 'tests in-session channel objects from the pipeline and keeps their secret out of every stream' {
        $all = New-SessionChannel 'ops' | Test-KdcHaNotificationChannel -Verbose *>&1
        $result = $all | Where-Object { $_ -is [KdcHa.Notification.NotificationChannelTestResult] }
        $result.Success | Should -BeTrue
        $result.ChannelType | Should -Be 'Slack'
        @($receiver.Requests)[0][1] | Should -Be "/session/$token"
        Assert-NoToken ($all | Out-String -Width 500)
    }

    It 'reports a failing endpoint as Success false with its answer, the echoed secret masked' {
        $receiver.StatusCode = 500
        $receiver.ResponseBody = "broken while posting to /session/$token"
        $all = New-SessionChannel 'ops' | Test-KdcHaNotificationChannel -Verbose -ErrorVariable failures *>&1
        $result = $all | Where-Object { $_ -is [KdcHa.Notification.NotificationChannelTestResult] }
        $result.Success | Should -BeFalse
        $result.Reply | Should -Be 'HTTP 500'
        $result.Message | Should -Match 'HTTP 500: broken while posting to \*\*\*'
        $failures.Count | Should -Be 0
        Assert-NoToken ($all | Out-String -Width 500)
    }

    It 'reports an endpoint that is down or does not answer in time as Success false with the reason' {
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK' })
        $receiver.Hang()
        $elapsed = Measure-Command { $script:slow = Test-KdcHaNotificationChannel -Name hook -ConfigurationPath $config -TimeoutSec 1 }
        $receiver.Release()
        $slow.Success | Should -BeFalse
        $slow.Message | Should -Be 'No answer within 1 s.'
        $elapsed.TotalSeconds | Should -BeLessThan 5

        $receiver.Stop()
        $down = Test-KdcHaNotificationChannel -Name hook -ConfigurationPath $config -TimeoutSec 5
        $down.Success | Should -BeFalse
        $down.Reply | Should -BeNullOrEmpty
        $down.Message | Should -Match 'No answer from the Webhook endpoint'
        $down.Message | Should -Not -Match $token
    }

    It 'shows the rendered test payload under -WhatIf and sends nothing' {
        $config = New-TestConfiguration @(@{ name = 'slack'; type = 'Slack'; url = 'env:KDCHA_TEST_HOOK' })
        # What if: lines go to the host, not to a stream.
        $output = Get-ChildOutput "Test-KdcHaNotificationChannel -Name slack -ConfigurationPath '$config' -WhatIf"
        $output | Should -Match 'POST env:KDCHA_TEST_HOOK'
        $output | Should -Match 'Test notification from KdcHa on'
        $output | Should -Not -Match $token
        $receiver.Requests.Count | Should -Be 0
    }

    It 'reports an unknown channel name as ChannelNotFound' {
        $config = New-TestConfiguration @(@{ name = 'hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK' })
        { Test-KdcHaNotificationChannel -Name nope -ConfigurationPath $config } |
            Should -Throw -ErrorId 'ChannelNotFound,KdcHa.Commands.TestKdcHaNotificationChannelCommand'
    }
}
