# Tab completion of -Instance, -Channel, -Realm and -Kdc through TabExpansion2, as a user at the prompt gets it, from
# files this test writes. Completers read local files only and send nothing; every address in the files is loopback.
BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $script:workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-complete-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $workDir | Out-Null

    function New-File([string] $Name, [string] $Content) {
        $path = Join-Path $workDir $Name
        [IO.File]::WriteAllText($path, $Content)
        $path
    }

    # What Tab offers at the end of $Line: the completer's values only, not the file names PowerShell falls back to.
    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches |
            Where-Object ResultType -EQ ParameterValue)
    }

    $script:keepalivedConf = New-File 'keepalived.conf' @'
vrrp_instance KDC_VIP {
    interface lo
    virtual_router_id 51
    priority 100
    unicast_peer {
        127.0.0.12
    }
    virtual_ipaddress {
        127.0.0.100/32
    }
}
vrrp_instance "KDC VIP TWO" {
    interface lo
    virtual_router_id 52
    virtual_ipaddress {
        127.0.0.101/32
    }
}
vrrp_instance kdc_lower {
    interface lo
    virtual_router_id 53
}
'@
    $script:notificationConf = New-File 'notification.json' (@{
        spoolPath = (Join-Path $workDir 'spool')
        channels  = @(
            @{ name = 'ops-hook'; type = 'Webhook'; url = 'env:KDCHA_TEST_HOOK' }
            @{ name = 'oncall'; type = 'Slack'; url = 'env:KDCHA_TEST_SLACK' }
            @{ name = 'pager'; type = 'Webhook'; url = 'env:KDCHA_TEST_PAGER' }
        )
    } | ConvertTo-Json -Depth 4)
    $script:krb5Conf = New-File 'krb5.conf' @'
[libdefaults]
    default_realm = KDCHA.TEST
[realms]
    KDCHA.TEST = {
        kdc = 127.0.0.11:88
        kdc = 127.0.0.12
        admin_server = 127.0.0.11
    }
    OTHER.TEST = {
        kdc = 127.0.0.21
    }
'@
    $script:monitorConf = New-File 'kdc1.psd1' "@{ Node = 'kdc1'; LocalKdc = '127.0.0.31'; PeerKdc = '127.0.0.32', '127.0.0.12'; Realm = 'MONITOR.TEST' }"
    $script:monitorConfWithoutRealm = New-File 'kdc2.psd1' "@{ Node = 'kdc2'; LocalKdc = '127.0.0.41'; PeerKdc = '127.0.0.42' }"

    $script:savedEnvironment = @{}
    foreach ($name in 'KRB5_CONFIG', 'KDCHA_MONITOR_CONFIG', 'KDCHA_NOTIFICATION_CONFIG') {
        $savedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:KRB5_CONFIG = "$(Join-Path $workDir 'missing-krb5.conf'):$krb5Conf"
    $env:KDCHA_MONITOR_CONFIG = "$monitorConf`:$monitorConfWithoutRealm"
    $env:KDCHA_NOTIFICATION_CONFIG = $notificationConf
}

AfterAll {
    foreach ($entry in $savedEnvironment.GetEnumerator()) {
        [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value)
    }
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Argument completion' {
    It 'CompletesInstanceFromTheKeepalivedConfigurationTypedAsConfigurationPath' {
        $matches = Get-Completion "Move-KdcVip -ConfigurationPath '$keepalivedConf' -Instance kdc"
        $matches.ListItemText | Should -Be @('KDC_VIP', 'KDC VIP TWO', 'kdc_lower')
        $matches.CompletionText | Should -Be @('KDC_VIP', "'KDC VIP TWO'", 'kdc_lower')
        $matches[0].ToolTip | Should -Be "vrrp_instance on lo in $keepalivedConf"

        (Get-Completion "Move-KdcVip -ConfigurationPath '$keepalivedConf' -Instance 'KDC V").CompletionText | Should -Be @("'KDC VIP TWO'")
    }

    It 'CompletesInstanceFromAConfigurationPathRelativeToTheCurrentLocation' {
        Push-Location $workDir
        try {
            (Get-Completion 'Move-KdcVip -ConfigPath ./keepalived.conf -Instance KDC_V').ListItemText | Should -Be @('KDC_VIP')
        } finally { Pop-Location }
    }

    It 'CompletesChannelFromTheNotificationConfiguration' {
        $matches = Get-Completion 'Send-KdcHaNotification -Message test -Channel O'
        $matches.CompletionText | Should -Be @('ops-hook', 'oncall')
        $matches.ToolTip | Should -Be @("Webhook channel in $notificationConf", "Slack channel in $notificationConf")

        $other = New-File 'other-notification.json' (@{ channels = @(@{ name = 'other-hook'; type = 'Webhook'; url = 'env:X' }) } | ConvertTo-Json -Depth 4)
        (Get-Completion "Test-KdcHaNotificationChannel -ConfigurationPath '$other' -Name ").CompletionText | Should -Be @('other-hook')
    }

    It 'CompletesRealmFromKrb5ConfAndTheMonitorConfigurations' {
        $matches = Get-Completion 'Test-KdcHealth -Kdc 127.0.0.11 -Realm '
        $matches.CompletionText | Should -Be @('KDCHA.TEST', 'OTHER.TEST', 'MONITOR.TEST')
        $matches.ToolTip | Should -Be @("default_realm in $krb5Conf", "[realms] in $krb5Conf", "Realm in $monitorConf")

        (Get-Completion 'Move-KdcVip -Realm oth').CompletionText | Should -Be @('OTHER.TEST')
    }

    It 'CompletesKdcFromKrb5ConfAndTheMonitorConfigurationsOfTheTypedRealm' {
        $all = Get-Completion 'Test-KdcHealth -Kdc 127.0.0.'
        $all.CompletionText | Should -Be @('127.0.0.11:88', '127.0.0.12', '127.0.0.21', '127.0.0.31', '127.0.0.32', '127.0.0.41', '127.0.0.42')
        $all[0].ToolTip | Should -Be "kdc of KDCHA.TEST in $krb5Conf"
        $all[3].ToolTip | Should -Be "LocalKdc in $monitorConf"

        $realm = Get-Completion 'Test-KdcHealth -Realm KDCHA.TEST -Kdc '
        $realm.CompletionText | Should -Be @('127.0.0.11:88', '127.0.0.12', '127.0.0.41', '127.0.0.42')
    }

    It 'CompletesNothingFromMissingUnreadableOrForeignFiles' {
        $fifo = Join-Path $workDir 'fifo.conf'
        & mkfifo $fifo
        $malformed = New-File 'malformed.psd1' "@{ PeerKdc = '127.0.0.51'; Realm = "
        $code = New-File 'code.psd1' "@{ PeerKdc = (Get-Date).ToString() }"
        $json = New-File 'array.json' '["127.0.0.52"]'
        $cases = @($fifo, '/dev/zero', $workDir, (Join-Path $workDir 'missing'), $malformed, $code, $json)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        foreach ($path in $cases) {
            $env:KRB5_CONFIG = $path
            $env:KDCHA_MONITOR_CONFIG = $path
            $env:KDCHA_NOTIFICATION_CONFIG = $path
            Get-Completion 'Test-KdcHealth -Kdc ' | Should -BeNullOrEmpty -Because $path
            Get-Completion 'Test-KdcHealth -Kdc 127.0.0.1 -Realm ' | Should -BeNullOrEmpty -Because $path
            Get-Completion 'Send-KdcHaNotification -Message m -Channel ' | Should -BeNullOrEmpty -Because $path
            Get-Completion "Move-KdcVip -ConfigurationPath '$path' -Instance " | Should -BeNullOrEmpty -Because $path
        }
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
    }
}

Describe 'Help on completion' {
    It 'MentionsCompletionOnEveryCompletedParameter' -ForEach @(
        @{ Command = 'Move-KdcVip'; Parameter = 'Instance' }
        @{ Command = 'Move-KdcVip'; Parameter = 'Realm' }
        @{ Command = 'Get-VrrpState'; Parameter = 'Name' }
        @{ Command = 'Test-KdcHealth'; Parameter = 'Kdc' }
        @{ Command = 'Test-KdcHealth'; Parameter = 'Realm' }
        @{ Command = 'Send-KdcHaNotification'; Parameter = 'Channel' }
        @{ Command = 'Test-KdcHaNotificationChannel'; Parameter = 'Name' }
    ) {
        $attribute = (Get-Command $Command).Parameters[$Parameter].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }
        $attribute | Should -Not -BeNullOrEmpty
        ((Get-Help $Command -Parameter $Parameter).Description.Text -join ' ') | Should -Match 'Tab completion'
    }
}
