#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Start-KdcHaMonitor policies against real keepalived and MIT krb5kdc in the lab: a monitor per node, each in its
# node's namespace and its own pwsh, keepalived configured by New-KdcHaKeepalivedConfig. Bounds here are loose
# correctness bounds (the machine may be busy); the speed targets are measured by tests/Bench/Monitor.Bench.ps1.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    Import-Module $env:KDCHA_MODULE_PATH -Force
    # The monitors run in other processes and working directories: they need the absolute path.
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:priority = @{ kdc1 = 200; kdc2 = 100 }

    function Get-Moves([double] $SinceMonoMs) { @(Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.MonoMs -ge $SinceMonoMs -and $_.Event -eq 'Added' }) }

    $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 1
    foreach ($n in 'kdc1', 'kdc2') {
        $config = New-KdcHaLabMonitorKeepalivedConfig -Lab $lab -Node $n -ModulePath $module -Priority $priority[$n]
        $null = Start-KdcHaLabKeepalived -Lab $lab -Node $n -ConfigText $config
    }
    $null = Start-KdcHaLabVipWatcher -Lab $lab
    Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Start-KdcHaMonitor failover' -Tag Lab {
    BeforeEach { Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module }

    It 'moves the VIP off a hung KDC, then preempts back exactly once after rise good probes' {
        $fault = Suspend-KdcHaLabKdc -Lab $lab -Node kdc1
        $moved = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $fault.MonoMs
        ($moved.MonoMs - $fault.MonoMs) | Should -BeLessThan 2000
        $resume = Resume-KdcHaLabKdc -Lab $lab -Node kdc1
        $back = Wait-KdcHaLabVipMove -Lab $lab -Node kdc1 -SinceMonoMs $resume.MonoMs
        Start-Sleep -Seconds 3
        @(Get-Moves $resume.MonoMs).Count | Should -Be 1 -Because 'recovery must not flap'
        $events = @(Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc1 | Where-Object { $_.EventType -eq 'FaultChanged' -and $_.Timestamp -ge $fault.Utc })
        $events.Fault | Should -Be @($true, $false)
        ($back.MonoMs - $resume.MonoMs) | Should -BeGreaterThan 300 -Because 'rise (3 probes at 200 ms) must pass before re-admission'
    }

    It 'moves the VIP off a killed KDC' {
        $fault = Stop-KdcHaLabKdc -Lab $lab -Node kdc1
        $moved = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $fault.MonoMs
        ($moved.MonoMs - $fault.MonoMs) | Should -BeLessThan 2000
    }

    It 'moves the VIP off a node whose monitor was killed' {
        $fault = Stop-KdcHaLabMonitor -Lab $lab -Node kdc1 -Signal KILL
        $moved = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $fault.MonoMs
        ($moved.MonoMs - $fault.MonoMs) | Should -BeLessThan 2500
    }

    It 'moves the VIP off a node whose monitor stalled' {
        $fault = Stop-KdcHaLabMonitor -Lab $lab -Node kdc1 -Signal STOP
        try {
            $moved = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $fault.MonoMs
            ($moved.MonoMs - $fault.MonoMs) | Should -BeLessThan 2500
        } finally {
            $null = Stop-KdcHaLabMonitor -Lab $lab -Node kdc1 -Signal CONT
        }
    }

    It 'keeps the VIP when every monitor is dead' {
        $since = Get-KdcHaLabMonotonicMs
        foreach ($n in 'kdc1', 'kdc2') { $null = Stop-KdcHaLabMonitor -Lab $lab -Node $n -Signal KILL }
        Start-Sleep -Seconds 3
        @(Get-KdcHaLabVipHolder -Lab $lab) | Should -Be @('kdc1')
        @(Get-KdcHaLabVipTransition -Lab $lab | Where-Object MonoMs -GE $since) | Should -BeNullOrEmpty
    }

    It 'keeps the VIP and raises a Critical event on both nodes when every KDC hangs' {
        $since = Get-KdcHaLabMonotonicMs
        $utc = [DateTime]::UtcNow
        # One kill(1) for both, so no node sees a healthy peer in between and hands the VIP over meanwhile.
        $kdcs = @(Get-KdcHaLabProcess -Lab $lab | Where-Object { $_.Key -like '*.krb5kdc.88' -and $_.Alive })
        $kdcs.Count | Should -Be 2
        $null = Invoke-KdcHaLabCommand -Lab $lab -FilePath /bin/kill -ArgumentList (@('-s', 'STOP', '--') + @($kdcs.Pid | ForEach-Object { "$_" }))
        Start-Sleep -Seconds 3
        @(Get-KdcHaLabVipHolder -Lab $lab) | Should -Be @('kdc1')
        foreach ($n in 'kdc1', 'kdc2') {
            $critical = @(Get-KdcHaLabMonitorEvent -Lab $lab -Node $n | Where-Object { $_.EventType -eq 'AllKdcsDown' -and $_.Timestamp -ge $utc })
            $critical.Count | Should -Be 1
            $critical[0].Severity | Should -Be 'Critical'
        }
        @(Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.MonoMs -ge $since -and $_.Holders.Count -eq 0 }) | Should -BeNullOrEmpty
    }
}

Describe 'Start-KdcHaMonitor stop and status' -Tag Lab {
    BeforeEach { Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module }

    It 'stops cleanly on SIGTERM: exit 0, reason logged, fault clear, heartbeat withdrawn' {
        $null = Stop-KdcHaLabMonitor -Lab $lab -Node kdc2 -Signal TERM
        $stateDirectory = Get-KdcHaLabMonitorStateDirectory -Lab $lab -Node kdc2
        $node = $lab.Kdcs | Where-Object Name -EQ kdc2
        $script = "Import-Module '$module'; Start-KdcHaMonitor -Node kdc2 -LocalKdc $($node.Address) -PeerKdc $($lab.Kdcs[0].Address) -Realm $($lab.Realm) -StateDirectory '$stateDirectory' -Confirm:`$false | Out-Null"
        $psi = [Diagnostics.ProcessStartInfo]::new('/usr/sbin/ip')
        foreach ($a in 'netns', 'exec', $node.Namespace, [Environment]::ProcessPath, "$PSHOME/pwsh.dll", '-NoProfile', '-NonInteractive', '-Command', $script) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $process = [Diagnostics.Process]::Start($psi)
        try {
            $null = Wait-KdcHaLabMonitor -Lab $lab -Node kdc2 -ProcessId $process.Id
            kill -TERM $process.Id
            $process.WaitForExit(15000) | Should -BeTrue
            $process.ExitCode | Should -Be 0
        } finally {
            if (-not $process.HasExited) { $process.Kill() }
            $process.Dispose()
        }
        $status = Get-KdcHaMonitor -StateDirectory $stateDirectory
        $status.State | Should -Be 'Stopped'
        $status.Reason | Should -Match 'SIGTERM'
        $status.Fault | Should -BeFalse
        (Get-Content -Raw "$stateDirectory/fault").Trim() | Should -Be '0'
        Test-Path "$stateDirectory/heartbeat" | Should -BeFalse
    }

    It 'publishes its status for Get-KdcHaMonitor' {
        $status = Get-KdcHaMonitor -StateDirectory (Get-KdcHaLabMonitorStateDirectory -Lab $lab -Node kdc1)
        $status | Should -BeOfType KdcHa.Monitor.MonitorStatus
        $status.State | Should -Be 'Running'
        $status.IsStale | Should -BeFalse
        $status.Kdcs.Count | Should -Be 2
        ($status.Kdcs | Where-Object IsLocal).LastProbeStatus | Should -Be 'Healthy'
        ($status.Kdcs | Where-Object IsLocal).LastRoundTripMilliseconds | Should -BeGreaterThan 0
    }
}

Describe 'Start-KdcHaMonitor VRRP watching and alerts' -Tag Lab {
    BeforeAll {
        if (-not ('NotificationReceiver' -as [type])) {
            Add-Type -Path (Join-Path $PSScriptRoot '../Lab/NotificationReceiver.cs')
        }

        function Wait-Until([scriptblock] $Condition, [int] $Seconds = 20) {
            $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
            while (-not (& $Condition)) {
                if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $Seconds s waiting for: $Condition" }
                Start-Sleep -Milliseconds 100
            }
        }

        function Test-MonitorAlive($Node) { [bool]@(Get-KdcHaLabProcess -Lab $lab | Where-Object { $_.Key -eq "$($Node.Name).monitor" -and $_.Alive }) }

        # What the webhook received, parsed: one object per POST (the NotificationEvent as JSON).
        function Get-Alert { @($receiver.Requests) | ForEach-Object { $_[2] | ConvertFrom-Json } }

        # The monitors run inside the node namespaces: the bridge address is the root namespace's address they reach.
        $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Parse($lab.BridgeAddress), 0)
        $probe.Start()
        $port = $probe.LocalEndpoint.Port
        $probe.Stop()
        $script:receiver = [NotificationReceiver]::new($lab.BridgeAddress, $port)
        $receiver.Start()
        $script:alertConfig = @{}
        foreach ($n in $lab.Kdcs) {
            $dir = Join-Path $n.Directory 'alerts'
            New-Item -ItemType Directory -Force -Path $dir | Out-Null
            $urlFile = Join-Path $dir 'hook.url'
            Set-Content -LiteralPath $urlFile -Value "http://$($lab.BridgeAddress):$port/hook/$($n.Name)"
            chmod 600 $urlFile
            $alertConfig[$n.Name] = Join-Path $dir 'notification.json'
            @{
                spoolPath = Join-Path $dir 'spool'; retryInitialDelaySeconds = 0.1; retryMaxDelaySeconds = 0.5
                channels = @(@{ name = 'oncall'; type = 'Webhook'; url = "file:$urlFile" })
            } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $alertConfig[$n.Name]
        }

        # Replaces the plain monitors with alerting ones; Restore-KdcHaLabMonitoredPair keeps a running monitor.
        foreach ($n in $lab.Kdcs) {
            if ((Test-MonitorAlive $n)) { $null = Stop-KdcHaLabMonitor -Lab $lab -Node $n -Signal TERM }
            $null = Start-KdcHaLabMonitor -Lab $lab -Node $n -ModulePath $module -Parameter @{ NotificationChannel = 'onc*'; NotificationConfigurationPath = $alertConfig[$n.Name] }
        }
    }

    AfterAll {
        # Later tests get plain monitors again from Restore-KdcHaLabMonitoredPair.
        foreach ($n in $lab.Kdcs) { if ((Test-MonitorAlive $n)) { $null = Stop-KdcHaLabMonitor -Lab $lab -Node $n -Signal TERM } }
        $receiver.Dispose()
    }

    BeforeEach {
        Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $module
        $receiver.Requests.Clear()
    }

    It 'reports the VRRP state changes keepalived writes to the notify FIFO, in events, status and alerts' {
        $fault = Suspend-KdcHaLabKdc -Lab $lab -Node kdc1
        $null = Wait-KdcHaLabVipMove -Lab $lab -Node kdc2 -SinceMonoMs $fault.MonoMs
        Wait-Until { @(Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc2 | Where-Object { $_.EventType -eq 'VrrpStateChanged' -and $_.State -eq 'Master' -and $_.Timestamp -ge $fault.Utc }) }
        $change = @(Get-KdcHaLabMonitorEvent -Lab $lab -Node kdc2 | Where-Object { $_.EventType -eq 'VrrpStateChanged' -and $_.Timestamp -ge $fault.Utc })[-1]
        $change.Class | Should -Be 'VrrpStateChangedEvent'
        $change.Instance | Should -Not -BeNullOrEmpty
        # Unknown when an earlier monitor already read the FIFO's line for the node's start in Backup.
        $change.PreviousState | Should -BeIn 'Backup', 'Unknown'
        $change.Priority | Should -BeGreaterThan 0
        Wait-Until { (Get-KdcHaMonitor -StateDirectory (Get-KdcHaLabMonitorStateDirectory -Lab $lab -Node kdc2)).Vrrp.State -contains 'Master' }
        Wait-Until { @(Get-Alert | Where-Object { $_.kind -eq 'VrrpStateChanged' -and $_.host -eq 'kdc2' -and $_.newState -eq 'Master' }) }
        Wait-Until { @(Get-Alert | Where-Object { $_.kind -eq 'KdcUnhealthy' -and $_.host -eq 'kdc2' -and $_.instance -eq $lab.Kdcs[0].Address }) }
    }

    It 'Both KDCs hung: VIP stays, Critical alert delivered' {
        $since = Get-KdcHaLabMonotonicMs
        $kdcs = @(Get-KdcHaLabProcess -Lab $lab | Where-Object { $_.Key -like '*.krb5kdc.88' -and $_.Alive })
        $null = Invoke-KdcHaLabCommand -Lab $lab -FilePath /bin/kill -ArgumentList (@('-s', 'STOP', '--') + @($kdcs.Pid | ForEach-Object { "$_" }))
        # Generous for a busy machine: detection takes fall x interval, delivery one HTTP request.
        Wait-Until { @(Get-Alert | Where-Object { $_.severity -eq 'Critical' -and $_.kind -eq 'KdcUnhealthy' }).host.Count -ge 2 } -Seconds 15
        $critical = @(Get-Alert | Where-Object { $_.severity -eq 'Critical' -and $_.kind -eq 'KdcUnhealthy' })
        @($critical.host | Sort-Object -Unique) | Should -Be @('kdc1', 'kdc2')
        $critical[0].source | Should -Be 'Start-KdcHaMonitor'
        $critical[0].message | Should -Match 'Every KDC is down'
        @(Get-KdcHaLabVipHolder -Lab $lab) | Should -Be @('kdc1')
        @(Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.MonoMs -ge $since -and $_.Event -eq 'Added' }) | Should -BeNullOrEmpty
    }

    It 'reports a VRRP partition as a split brain on both sides, alerts it, and clears it when the partition heals' {
        $utc = [DateTime]::UtcNow
        $null = Set-KdcHaLabPartition -Lab $lab -From kdc1 -To kdc2 -Protocol Vrrp
        try {
            foreach ($n in 'kdc1', 'kdc2') {
                Wait-Until { @(Get-KdcHaLabMonitorEvent -Lab $lab -Node $n | Where-Object { $_.EventType -eq 'SplitBrainSuspected' -and $_.Timestamp -ge $utc }) }
                $suspected = @(Get-KdcHaLabMonitorEvent -Lab $lab -Node $n | Where-Object { $_.EventType -eq 'SplitBrainSuspected' -and $_.Timestamp -ge $utc })
                $suspected.Count | Should -Be 1 -Because 'one episode, one event'
                $suspected[0].Severity | Should -Be 'Critical'
                @($suspected[0].Masters | Sort-Object) | Should -Be @($lab.Kdcs | ForEach-Object Address | Sort-Object)
                # The status file follows at the next probe round.
                Wait-Until { (Get-KdcHaMonitor -StateDirectory (Get-KdcHaLabMonitorStateDirectory -Lab $lab -Node $n)).SplitBrains.VirtualRouterId -eq $suspected[0].VirtualRouterId }
            }
            Wait-Until { @(Get-Alert | Where-Object { $_.kind -eq 'SplitBrain' -and $_.severity -eq 'Critical' }).host.Count -ge 2 }
            @(Get-Alert | Where-Object { $_.kind -eq 'SplitBrain' -and $_.severity -eq 'Critical' }).host | Sort-Object -Unique | Should -Be @('kdc1', 'kdc2')
        } finally {
            $null = Clear-KdcHaLabPartition -Lab $lab
        }
        foreach ($n in 'kdc1', 'kdc2') {
            Wait-Until { @(Get-KdcHaLabMonitorEvent -Lab $lab -Node $n | Where-Object { $_.EventType -eq 'SplitBrainCleared' -and $_.Timestamp -ge $utc }) }
            Wait-Until { -not (Get-KdcHaMonitor -StateDirectory (Get-KdcHaLabMonitorStateDirectory -Lab $lab -Node $n)).SplitBrains }
        }
    }
}

Describe 'Start-KdcHaMonitor parameters' -Tag Lab {
    It 'BindsEveryParameterToOneSettingOfItsTypeAndEverySettingToAParameter' {
        # No node setting by design: the file to read, and how long this one invocation runs. No setting is file-only.
        $parameterOnly = 'ConfigurationPath', 'Duration'
        $fileOnly = @()
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = (Get-Command Start-KdcHaMonitor).Parameters.Values | Where-Object Name -NotIn $common
        $settings = [KdcHa.Configuration.MonitorConfiguration]::Settings
        @($parameters.Name | Where-Object { $_ -notin $parameterOnly } | Sort-Object) | Should -Be @($settings.Name | Where-Object { $_ -notin $fileOnly } | Sort-Object)
        $parameterTypes = @{ [string] = [string]; [int] = [int]; [bool] = [switch]; [System.Collections.Generic.IReadOnlyList[string]] = [string[]] }
        foreach ($setting in $settings) {
            (Get-Command Start-KdcHaMonitor).Parameters[$setting.Name].ParameterType | Should -Be $parameterTypes[$setting.Type] -Because $setting.Name
        }
    }
}

Describe 'Monitor cmdlet errors' -Tag Lab {
    It 'refuses a monitor without peers as InvalidMonitorConfiguration' {
        { Start-KdcHaMonitor -LocalKdc 127.0.0.1 -Realm KDCHA.TEST -StateDirectory /tmp/kdcha-none -Confirm:$false } |
            Should -Throw -ErrorId 'InvalidMonitorConfiguration,KdcHa.Commands.StartKdcHaMonitorCommand'
    }

    It 'refuses an unknown key in a configuration file' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "kdcha-$([guid]::NewGuid().ToString('N')).psd1"
        Set-Content -LiteralPath $path -Value "@{ PeerKdc = '10.0.0.2'; Realm = 'KDCHA.TEST'; Intervall = 100 }"
        try {
            { Start-KdcHaMonitor -ConfigurationPath $path -Confirm:$false } | Should -Throw -ErrorId 'InvalidMonitorConfiguration,KdcHa.Commands.StartKdcHaMonitorCommand'
        } finally { Remove-Item -LiteralPath $path }
    }

    It 'refuses a channel name the notification configuration does not define as ChannelNotFound' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "kdcha-$([guid]::NewGuid().ToString('N')).json"
        @{ spoolPath = '/tmp/kdcha-unused-spool'; channels = @(@{ name = 'oncall'; type = 'Webhook'; url = 'env:KDCHA_UNUSED' }) } | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $path
        try {
            { Start-KdcHaMonitor -PeerKdc 127.0.0.2 -Realm KDCHA.TEST -StateDirectory /tmp/kdcha-none -NotificationChannel pager -NotificationConfigurationPath $path -Confirm:$false } |
                Should -Throw -ErrorId 'ChannelNotFound,KdcHa.Commands.StartKdcHaMonitorCommand'
        } finally { Remove-Item -LiteralPath $path }
    }

    It 'refuses a missing notification configuration as NotificationConfigurationNotFound' {
        { Start-KdcHaMonitor -PeerKdc 127.0.0.2 -Realm KDCHA.TEST -StateDirectory /tmp/kdcha-none -NotificationChannel oncall -NotificationConfigurationPath /tmp/kdcha-absent/notification.json -Confirm:$false } |
            Should -Throw -ErrorId 'NotificationConfigurationNotFound,KdcHa.Commands.StartKdcHaMonitorCommand'
    }

    It 'refuses an interface that does not exist as InterfaceNotFound' {
        { Start-KdcHaMonitor -PeerKdc 127.0.0.2 -Realm KDCHA.TEST -StateDirectory /tmp/kdcha-none -VrrpInterface kdcha-nosuch0 -Confirm:$false } |
            Should -Throw -ErrorId 'InterfaceNotFound,KdcHa.Commands.StartKdcHaMonitorCommand'
    }

    It 'reports a missing status as MonitorStatusNotFound' {
        Get-KdcHaMonitor -StateDirectory /tmp/kdcha-absent-state -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be 'MonitorStatusNotFound,KdcHa.Commands.GetKdcHaMonitorCommand'
    }

    It 'rejects VRID <Vrid> as InvalidKeepalivedSetting' -ForEach @(@{ Vrid = 0 }, @{ Vrid = 256 }) {
        { New-KdcHaKeepalivedConfig -Interface eth0 -VirtualAddress 10.0.0.100 -Priority 100 -VirtualRouterId $Vrid } |
            Should -Throw -ErrorId 'InvalidKeepalivedSetting,KdcHa.Commands.NewKdcHaKeepalivedConfigCommand'
    }

    It 'writes a configuration file that keepalived accepts' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "kdcha-$([guid]::NewGuid().ToString('N')).conf"
        try {
            $file = New-KdcHaKeepalivedConfig -Interface $lab.BridgeName -VirtualAddress 10.0.0.100 -Priority 100 -UnicastPeer 10.0.0.2 -Path $path -PassThru -Confirm:$false
            $file.FullName | Should -Be $path
            keepalived -t -f $path 2>&1 | Out-Null
            $LASTEXITCODE | Should -Be 0
        } finally { Remove-Item -LiteralPath $path -ErrorAction Ignore }
    }
}
