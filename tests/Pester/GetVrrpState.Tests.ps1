# Get-VrrpState against real keepalived in the lab: every source on both nodes, DBus included, agrees with what
# keepalived is doing (its own log and the VIP) after start, after a track_file failover and in FAULT; the wire
# source on the client node sees the routers' priorities and a one-way VRRP partition's split brain. Each node's
# keepalived gets its own TMPDIR (its dumps) and publishes on the lab's private DBus bus under a dbus_service_name
# of its own; Get-VrrpState runs inside the node's namespace.
BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    $modulePath = (Resolve-Path $env:KDCHA_MODULE_PATH).Path

    # -BusAddress hands keepalived the lab's bus; -EnableDBus also makes it publish there, one service name per node.
    function Start-VrrpPair {
        param($Lab, [switch]$TrackFiles, [string]$BusAddress, [switch]$EnableDBus)
        foreach ($node in $Lab.Kdcs) {
            $cfg = New-KdcHaLabKeepalivedConfig -Lab $Lab -Node $node -Priority @{ kdc1 = 90; kdc2 = 80 }[$node.Name] `
                -ExtraGlobalDefs $(if ($EnableDBus) { 'enable_dbus', "dbus_service_name org.keepalived.Vrrp1.$($node.Name)" }) `
                -ExtraInstanceLines $(if ($TrackFiles) { 'track_file {', '    drain weight -50', '    broken weight 0', '}' })
            if ($TrackFiles) {
                # track_file blocks are top-level: they go before the instance that tracks them.
                $files = foreach ($name in 'drain', 'broken') {
                    Set-Content -Path "$($node.Directory)/$name" -Value 0
                    "track_file $name {`n    file `"$($node.Directory)/$name`"`n    weight 1`n}`n"
                }
                $cfg = $cfg -replace '(?m)^vrrp_instance', (($files -join "`n") + "`nvrrp_instance")
            }
            $environment = @{ TMPDIR = $node.Directory }
            if ($BusAddress) { $environment.DBUS_SYSTEM_BUS_ADDRESS = $BusAddress }
            $null = Start-KdcHaLabKeepalived -Lab $Lab -Node $node -ConfigText $cfg -Environment $environment
        }
    }

    # Runs Get-VrrpState in a node's namespace, once per source, in one pwsh; returns the records.
    function Get-NodeVrrpState {
        param($Lab, $Node, [string[]]$Source, [string]$Arguments = '')
        $n = @($Lab.Kdcs) + @($Lab.Clients) | Where-Object Name -EQ $Node
        $pidArgument = if ($n.PSObject.Properties['KeepalivedPidFile']) { "-PidFile '$($n.KeepalivedPidFile)'" } else { '' }
        $calls = ($Source | ForEach-Object { "Get-VrrpState -Source $_ $pidArgument $Arguments -WarningAction SilentlyContinue" }) -join '; '
        $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$modulePath'; @($calls) | ConvertTo-Json -Depth 5 -AsArray"
        $r = Invoke-KdcHaLabCommand -Lab $Lab -Node $Node -FilePath dotnet -ArgumentList 'pwsh', '-NoProfile', '-NonInteractive', '-Command', $script -TimeoutSec 60
        $r.StdOut | ConvertFrom-Json
    }

    # What keepalived itself last said an instance entered: the truth the sources are held to.
    function Get-LoggedState {
        param($Lab, [string]$Node, [string]$Instance = 'KDC_VIP')
        $n = $Lab.Kdcs | Where-Object Name -EQ $Node
        $entered = Select-String -Path $n.KeepalivedLog -Pattern "\($([regex]::Escape($Instance))\) Entering (\w+) STATE" | Select-Object -Last 1
        $entered.Matches[0].Groups[1].Value
    }

    function Wait-LoggedState {
        param($Lab, [string]$Node, [string]$State, [string]$Instance = 'KDC_VIP', [double]$TimeoutSec = 15)
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while ((Get-LoggedState -Lab $Lab -Node $Node -Instance $Instance) -ne $State) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "$Node did not enter $State for $Instance within $TimeoutSec s (last: $(Get-LoggedState -Lab $Lab -Node $Node -Instance $Instance))." }
            Start-Sleep -Milliseconds 100
        }
    }

    function Assert-SourcesAgree {
        param($Lab, [hashtable]$Expected, [hashtable]$EffectivePriority)
        foreach ($node in $Expected.Keys) {
            $logged = Get-LoggedState -Lab $Lab -Node $node
            $logged | Should -Be $Expected[$node].ToUpperInvariant() -Because "keepalived on $node says so in its log"
            $holds = (Get-KdcHaLabVipHolder -Lab $Lab) -contains $node
            $records = @(Get-NodeVrrpState -Lab $Lab -Node $node -Source DBus, Json, Data, Interface)
            @($records.Source) | Should -Be @('DBus', 'Json', 'Data', 'Interface')
            foreach ($record in $records) {
                $record.Instance | Should -Be 'KDC_VIP'
                $record.VirtualRouterId | Should -Be 51
                # From the addresses alone, FAULT cannot be told from BACKUP (documented): Interface says Backup.
                $want = if ($record.Source -eq 'Interface' -and $Expected[$node] -eq 'Fault') { 'Backup' } else { $Expected[$node] }
                $record.State | Should -Be $want -Because "$($record.Source) on $node"
            }
            # keepalived publishes no addresses over DBus: only the other sources know the VIP and who holds it.
            foreach ($record in $records | Where-Object Source -NE 'DBus') {
                $record.VirtualIPAddresses | Should -Be @($Lab.Vip)
                $record.HoldsVirtualIP | Should -Be $holds -Because "$($record.Source) on $node"
            }
            $dbus = $records[0]
            $dbus.Interface | Should -Be 'eth0'
            $dbus.Family | Should -Be 'IPv4'
            $dbus.Priority | Should -BeNullOrEmpty
            $json, $data = $records[1], $records[2]
            $json.Priority | Should -Be @{ kdc1 = 90; kdc2 = 80 }[$node]
            $json.EffectivePriority | Should -Be $EffectivePriority[$node]
            $data.EffectivePriority | Should -Be $EffectivePriority[$node]
            $json.Interface | Should -Be 'eth0'
            $json.LastTransition | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'Get-VrrpState on both nodes, every source' -Tag Lab {
    BeforeAll {
        $lab = New-KdcHaLab -KdcCount 2 -ClientCount 1 -NoKdc
        Start-VrrpPair -Lab $lab -TrackFiles -BusAddress (Start-KdcHaLabDBus -Lab $lab) -EnableDBus
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1
        Wait-LoggedState -Lab $lab -Node kdc2 -State BACKUP
    }

    AfterAll {
        Remove-KdcHaLab -Lab $lab
    }

    It 'reports kdc1 Master and kdc2 Backup after start' {
        Assert-SourcesAgree -Lab $lab -Expected @{ kdc1 = 'Master'; kdc2 = 'Backup' } -EffectivePriority @{ kdc1 = 90; kdc2 = 80 }
    }

    It 'hears only the master on the wire from the client, with its priority' {
        $wire = @(Get-NodeVrrpState -Lab $lab -Node client1 -Source Wire -Arguments '-Interface eth0 -ListenSeconds 2.5')
        $wire.Count | Should -Be 1
        $wire[0].VirtualRouterId | Should -Be 51
        $wire[0].State | Should -Be 'Master'
        $wire[0].MasterAddress | Should -Be $lab.Kdcs[0].Address
        $wire[0].SplitBrain | Should -BeFalse
        @($wire[0].Peers).Count | Should -Be 1 -Because 'a backup does not advertise'
        $wire[0].Peers[0].Priority | Should -Be 90
        $wire[0].Peers[0].VirtualIPAddresses | Should -Be @($lab.Vip)
    }

    It 'follows a failover caused by a track_file priority drop' {
        Set-Content -Path "$($lab.Kdcs[0].Directory)/drain" -Value 1
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc2
        Wait-LoggedState -Lab $lab -Node kdc1 -State BACKUP
        Assert-SourcesAgree -Lab $lab -Expected @{ kdc1 = 'Backup'; kdc2 = 'Master' } -EffectivePriority @{ kdc1 = 40; kdc2 = 80 }
    }

    It 'reports FAULT when a weight-0 track_file fails' {
        Set-Content -Path "$($lab.Kdcs[0].Directory)/broken" -Value 1
        Wait-LoggedState -Lab $lab -Node kdc1 -State FAULT
        Assert-SourcesAgree -Lab $lab -Expected @{ kdc1 = 'Fault'; kdc2 = 'Master' } -EffectivePriority @{ kdc1 = 40; kdc2 = 80 }
    }
}

Describe 'Get-VrrpState -Source Wire on a third host' -Tag Lab {
    BeforeAll {
        $lab = New-KdcHaLab -KdcCount 2 -ClientCount 1 -NoKdc
        # keepalived gets the lab's bus but no enable_dbus: the DBus source must say so.
        Start-VrrpPair -Lab $lab -BusAddress (Start-KdcHaLabDBus -Lab $lab)
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1
    }

    AfterAll {
        Remove-KdcHaLab -Lab $lab
    }

    It 'reports a split brain from a one-way VRRP partition within 3 advert intervals, with both priorities' {
        $null = Set-KdcHaLabPartition -Lab $lab -From kdc1 -To kdc2 -Protocol Vrrp -OneWay
        Wait-LoggedState -Lab $lab -Node kdc2 -State MASTER
        @(Get-KdcHaLabVipHolder -Lab $lab).Count | Should -Be 2
        # Three seconds of listening are three advertisement intervals at advert_int 1.
        $wire = @(Get-NodeVrrpState -Lab $lab -Node client1 -Source Wire -Arguments '-ListenSeconds 3')
        $wire.Count | Should -Be 1
        $wire[0].SplitBrain | Should -BeTrue
        $byAddress = @{}
        foreach ($peer in $wire[0].Peers) { $byAddress[$peer.Address] = $peer }
        $byAddress[$lab.Kdcs[0].Address].Priority | Should -Be 90
        $byAddress[$lab.Kdcs[1].Address].Priority | Should -Be 80
        @($wire[0].Peers | Where-Object IsMaster).Count | Should -Be 2
        $wire[0].MasterAddress | Should -Be $lab.Kdcs[0].Address -Because 'the higher priority wins the report'
    }

    It 'clears the split brain once the partition heals' {
        $null = Clear-KdcHaLabPartition -Lab $lab
        Wait-LoggedState -Lab $lab -Node kdc2 -State BACKUP
        $wire = @(Get-NodeVrrpState -Lab $lab -Node client1 -Source Wire -Arguments '-ListenSeconds 3')
        $wire[0].SplitBrain | Should -BeFalse
        @($wire[0].Peers | Where-Object IsMaster).Count | Should -Be 1
    }

    It 'says SourceUnavailable for -Source DBus when keepalived does not publish on its bus' {
        $pidFile = ($lab.Kdcs | Where-Object Name -EQ kdc2).KeepalivedPidFile
        $command = "Import-Module '$modulePath'; try { Get-VrrpState -Source DBus -PidFile '$pidFile' -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
        $r = Invoke-KdcHaLabPwsh -Lab $lab -Node kdc2 -Command $command
        $errorId, $message = $r.StdOut -split "`n", 2
        $errorId.Trim() | Should -Be 'SourceUnavailable,KdcHa.Commands.GetVrrpStateCommand'
        $message | Should -Match 'nobody owns org\.keepalived\.Vrrp1.*enable_dbus'
    }

    It 'adds wire peers to a keepalived source when asked to listen' {
        $records = @(Get-NodeVrrpState -Lab $lab -Node kdc2 -Source Auto -Arguments '-ListenSeconds 2')
        $records[0].Source | Should -Be 'Json'
        $records[0].State | Should -Be 'Backup'
        $records[0].MasterAddress | Should -Be $lab.Kdcs[0].Address
    }
}

Describe 'Get-VrrpState -Source Wire with IPv6 (VRRPv3) beside IPv4' -Tag Lab {
    BeforeAll {
        # Each node runs an IPv4 and an IPv6 instance with the same virtual_router_id: two routers that must not
        # be mistaken for one (two masters of "VRID 51" would look like a split brain).
        $lab = New-KdcHaLab -KdcCount 2 -ClientCount 1 -NoKdc
        $vip6 = 'fd00:4b:4443::100'
        foreach ($node in $lab.Kdcs) {
            $priority = @{ kdc1 = 90; kdc2 = 80 }[$node.Name]
            $cfg = (New-KdcHaLabKeepalivedConfig -Lab $lab -Node $node -Priority $priority -VrrpVersion 3) + @"

vrrp_instance KDC_VIP6 {
    state BACKUP
    interface $($node.Interface)
    virtual_router_id 51
    priority $($priority + 10)
    advert_int 1
    virtual_ipaddress {
        $vip6/64 dev $($node.Interface)
    }
}
"@
            $null = Start-KdcHaLabKeepalived -Lab $lab -Node $node -ConfigText $cfg -Environment @{ TMPDIR = $node.Directory }
        }
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1
        $linkLocal = @{}
        foreach ($node in $lab.Kdcs) { $linkLocal[$node.Name] = Get-KdcHaLabLinkLocalAddress -Lab $lab -Node $node }
        Wait-LoggedState -Lab $lab -Node kdc1 -Instance KDC_VIP6 -State MASTER
    }

    AfterAll {
        Remove-KdcHaLab -Lab $lab
    }

    It 'reports the IPv4 and the IPv6 router apart, each with its master and priority' {
        $wire = @(Get-NodeVrrpState -Lab $lab -Node client1 -Source Wire -Arguments '-ListenSeconds 3')
        $wire.Instance | Sort-Object | Should -Be @('VRID 51', 'VRID 51 IPv6')
        $v4 = $wire | Where-Object Instance -EQ 'VRID 51'
        $v6 = $wire | Where-Object Instance -EQ 'VRID 51 IPv6'
        $v4.MasterAddress | Should -Be $lab.Kdcs[0].Address
        $v4.Priority | Should -Be 90
        $v4.SplitBrain | Should -BeFalse
        $v6.MasterAddress | Should -Be $linkLocal.kdc1
        $v6.Priority | Should -Be 100
        $v6.VirtualIPAddresses | Should -Be @($vip6)
        $v6.SplitBrain | Should -BeFalse
        @($v6.Peers | Where-Object IsMaster).Count | Should -Be 1
        $v6.Peers[0].Version | Should -Be 3
    }

    It 'reports a split brain of the IPv6 router only when IPv6 VRRP is blocked one way' {
        $null = Invoke-KdcHaLabCommand -Lab $lab -Node kdc2 -FilePath nft -ArgumentList '-f', '-' -InputText @"
table ip6 kdcha_test_v6 {
    chain input {
        type filter hook input priority 0; policy accept;
        ip6 saddr $($linkLocal.kdc1) meta l4proto vrrp drop
    }
}
"@
        try {
            Wait-LoggedState -Lab $lab -Node kdc2 -Instance KDC_VIP6 -State MASTER
            # Three seconds of listening are three advertisement intervals at advert_int 1.
            $wire = @(Get-NodeVrrpState -Lab $lab -Node client1 -Source Wire -Arguments '-ListenSeconds 3')
            $v6 = $wire | Where-Object Instance -EQ 'VRID 51 IPv6'
            $v6.SplitBrain | Should -BeTrue
            $masters = @($v6.Peers | Where-Object IsMaster | ForEach-Object Address | Sort-Object)
            $masters | Should -Be @(@($linkLocal.kdc1, $linkLocal.kdc2) | Sort-Object)
            ($wire | Where-Object Instance -EQ 'VRID 51').SplitBrain | Should -BeFalse -Because 'IPv4 VRRP still flows'
        }
        finally {
            $null = Invoke-KdcHaLabCommand -Lab $lab -Node kdc2 -FilePath nft -ArgumentList 'delete', 'table', 'ip6', 'kdcha_test_v6' -AllowFailure
        }
    }
}

Describe 'Get-VrrpState errors' {
    BeforeAll {
        $workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-vrrp-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        New-Item -ItemType Directory -Path $workDir | Out-Null
    }

    AfterAll {
        Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
    }

    It 'says KeepalivedNotRunning when the pid file does not exist' {
        { Get-VrrpState -PidFile (Join-Path $workDir 'absent.pid') } | Should -Throw -ErrorId 'KeepalivedNotRunning,KdcHa.Commands.GetVrrpStateCommand'
    }

    It 'says PidFileStale when the pid file names a process that is not keepalived' {
        $stale = Join-Path $workDir 'stale.pid'
        Set-Content -Path $stale -Value $PID
        { Get-VrrpState -PidFile $stale } | Should -Throw -ErrorId 'PidFileStale,KdcHa.Commands.GetVrrpStateCommand'
    }

    It 'says InterfaceNotFound for a wire listen on an interface that does not exist' {
        { Get-VrrpState -Source Wire -Interface 'nosuchif0' -ListenSeconds 0.2 } | Should -Throw -ErrorId 'InterfaceNotFound,KdcHa.Commands.GetVrrpStateCommand'
    }
}

# A stand-in keepalived (no root, no network): a process named keepalived that answers --signum and, when signalled,
# writes the dump text it was given, so the dump can be anything a broken or hostile keepalived could leave.
Describe 'Get-VrrpState with a dump that is not keepalived''s' -Skip:(-not (Get-Command cc -ErrorAction Ignore)) {
    BeforeAll {
        $workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-dump-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        New-Item -ItemType Directory -Path $workDir | Out-Null
        $fake = Join-Path $workDir 'keepalived'
        & cc -o $fake -x c "$PSScriptRoot/Fixtures/fake-keepalived.c"
        if ($LASTEXITCODE -ne 0) { throw 'cc could not build the stand-in keepalived.' }

        function Start-FakeKeepalived {
            param([string]$Json, [string]$Data)
            $start = [Diagnostics.ProcessStartInfo]::new($fake)
            # No configuration file: Auto then has no Interface source to fall back on.
            $start.ArgumentList.Add('-f'); $start.ArgumentList.Add((Join-Path $workDir 'absent.conf'))
            $start.Environment['TMPDIR'] = $workDir
            $start.Environment['FAKE_JSON'] = $Json
            $start.Environment['FAKE_DATA'] = $Data
            $process = [Diagnostics.Process]::Start($start)
            # A signal that arrives before the handlers are in place would end the process, not ask for a dump.
            $ready = Join-Path $workDir 'fake-keepalived.ready'
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while (-not (Test-Path $ready) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
            Set-Content -Path (Join-Path $workDir 'keepalived.pid') -Value $process.Id
            $process
        }
    }

    AfterEach {
        if ($script:process) { $script:process.Kill(); $script:process.WaitForExit() }
        Remove-Item -Path (Join-Path $workDir 'keepalived.json'), (Join-Path $workDir 'keepalived.data'), (Join-Path $workDir 'fake-keepalived.ready') -ErrorAction Ignore
    }

    AfterAll {
        Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
    }

    It 'SaysDumpInvalidForAJsonDumpOf<Name>' -ForEach @(
        @{ Name = 'Garbage'; Json = 'this is not json' }
        @{ Name = 'TheWrongShape'; Json = '{"data": {"iname": "KDC_VIP", "vrid": 51}}' }
        @{ Name = 'ATruncatedArray'; Json = '[{"data": {"iname": "KDC_VIP", "vrid": 51, "state": 2' }
    ) {
        $script:process = Start-FakeKeepalived -Json $Json -Data ''
        { Get-VrrpState -Source Json -PidFile (Join-Path $workDir 'keepalived.pid') } | Should -Throw -ErrorId 'DumpInvalid,KdcHa.Commands.GetVrrpStateCommand'
    }

    It 'SaysDumpInvalidForADataDumpCutShort' {
        $script:process = Start-FakeKeepalived -Json '' -Data "------< VRRP Topology >------`n VRRP Instance = KDC_VIP`n"
        { Get-VrrpState -Source Data -PidFile (Join-Path $workDir 'keepalived.pid') } | Should -Throw -ErrorId 'DumpInvalid,KdcHa.Commands.GetVrrpStateCommand'
    }

    It 'SaysDumpInvalidFromAutoWhenNoSourceAnswersAndADumpWasNotKeepalived''s' {
        $script:process = Start-FakeKeepalived -Json 'garbage' -Data ''
        { Get-VrrpState -PidFile (Join-Path $workDir 'keepalived.pid') } | Should -Throw -ErrorId 'DumpInvalid,KdcHa.Commands.GetVrrpStateCommand'
    }
}
