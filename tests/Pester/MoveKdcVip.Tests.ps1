#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Move-KdcVip: refusals that must leave the node untouched (no lab), then the acceptance test in the lab: real
# keepalived (VRRPv3, advert_int 0.1 s), real MIT KDCs, kinit at 5/s against the VIP, Move-KdcVip run inside
# the node's namespace in a fresh non-interactive pwsh; then Direct mode (netlink and gratuitous ARP, no
# keepalived) between two lab nodes, watched from the lab client. Needs root.
BeforeAll {
    $manifest = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    Import-Module $manifest -Force
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    $workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-move-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $workDir | Out-Null

    function New-KeepalivedConfig([string] $Interface = 'lo', [string] $Vip = '198.51.100.77', [string] $Weight = '-253', [string] $Tracked = 'kdcha_maint_VI_1') {
        $path = Join-Path $workDir "keepalived-$([guid]::NewGuid().ToString('N').Substring(0, 6)).conf"
        Set-Content -LiteralPath $path -Value @"
track_file kdcha_maint_VI_1 {
    file $workDir/maintenance/VI_1
    weight $Weight
    init_file
}
vrrp_instance VI_1 {
    interface $Interface
    virtual_router_id 51
    priority 90
    virtual_ipaddress {
        $Vip/32
    }
    track_file {
        $Tracked
    }
}
"@
        $path
    }

    # The lab's nodes get Move-KdcVip as operators run it: a fresh pwsh inside the node's namespace. An empty
    # -Instance leaves it out, as the help examples do on a node with one instance.
    function Invoke-MoveKdcVip($Lab, [string] $Node, [string] $Arguments, [string] $Instance = 'KDC_VIP') {
        $n = $Lab.Kdcs | Where-Object Name -EQ $Node
        $r = Invoke-KdcHaLabPwsh -Lab $Lab -Node $Node -Command "Import-Module '$manifest'; Move-KdcVip $(if ($Instance) { "-Instance $Instance " })-ConfigPath '$($n.KeepalivedConfig)' -Realm $($Lab.Realm) $Arguments | ConvertTo-Json -Compress"
        if ($r.ExitCode -ne 0) { throw "Move-KdcVip $Arguments on $Node failed: $($r.StdErr)$($r.StdOut)" }
        $r.StdOut | ConvertFrom-Json
    }
}

AfterAll {
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
}

Describe 'Move-KdcVip refuses before changing anything' -Tag Lab {
    It 'reports an unknown instance with the instances the configuration has' {
        { Move-KdcVip -Instance VI_9 -ConfigPath (New-KeepalivedConfig) -Realm KDCHA.TEST } |
            Should -Throw -ErrorId 'InstanceNotFound,KdcHa.Commands.MoveKdcVipCommand' -ExpectedMessage '*It defines: VI_1*'
    }

    It 'reports a missing configuration file' {
        { Move-KdcVip -Instance VI_1 -ConfigPath (Join-Path $workDir 'absent.conf') -Realm KDCHA.TEST } |
            Should -Throw -ErrorId 'KeepalivedConfigInvalid,KdcHa.Commands.MoveKdcVipCommand'
    }

    It 'shows the track_file snippet when the instance does not track the KdcHa file' {
        { Move-KdcVip -Instance VI_1 -ConfigPath (New-KeepalivedConfig -Tracked other) -Realm KDCHA.TEST } |
            Should -Throw -ErrorId 'MaintenanceTrackNotConfigured,KdcHa.Commands.MoveKdcVipCommand' -ExpectedMessage '*file /var/lib/kdcha/maintenance/VI_1*weight -253*init_file*'
    }

    It 'refuses a weight that would not demote the node' {
        { Move-KdcVip -Instance VI_1 -ConfigPath (New-KeepalivedConfig -Weight 10) -Realm KDCHA.TEST } |
            Should -Throw -ErrorId 'MaintenanceTrackNotConfigured,KdcHa.Commands.MoveKdcVipCommand'
    }

    It 'reports an interface that does not exist' {
        { Move-KdcVip -Instance VI_1 -ConfigPath (New-KeepalivedConfig -Interface kdchanoif0) -Realm KDCHA.TEST } |
            Should -Throw -ErrorId 'InterfaceNotFound,KdcHa.Commands.MoveKdcVipCommand'
    }

    It 'refuses on a node that does not hold the VIP, and writes no maintenance file' {
        { Move-KdcVip -Instance VI_1 -ConfigPath (New-KeepalivedConfig) -Realm KDCHA.TEST } |
            Should -Throw -ErrorId 'NotVipHolder,KdcHa.Commands.MoveKdcVipCommand'
        Join-Path $workDir 'maintenance/VI_1' | Should -Not -Exist
    }

    It 'needs a realm when krb5.conf names none' {
        $emptyConf = Join-Path $workDir 'empty-krb5.conf'
        Set-Content -LiteralPath $emptyConf -Value "[libdefaults]`n"
        $env:KRB5_CONFIG = $emptyConf
        try {
            { Move-KdcVip -Instance VI_1 -ConfigPath (New-KeepalivedConfig) } | Should -Throw -ErrorId 'RealmRequired,KdcHa.Commands.MoveKdcVipCommand'
        } finally { Remove-Item Env:KRB5_CONFIG }
    }

    It 'RunsItsHelpExamplesAsWrittenOnANodeConfiguredByNewKdcHaKeepalivedConfig' {
        # A new user copies the examples onto a node set up by the generator; -WhatIf keeps the node untouched,
        # and what the examples leave at its default (the configuration path, the realm) is this test's.
        $state = Join-Path $workDir 'generated-state'
        $config = Join-Path $workDir 'generated-keepalived.conf'
        New-KdcHaKeepalivedConfig -Interface lo -VirtualAddress 198.51.100.77 -Priority 100 -StateDirectory $state -Path $config
        $examples = @((Get-Help Move-KdcVip).examples.example.code | Where-Object { $_ -match '^Move-KdcVip\b' -and $_ -notmatch '-Direct' })
        $examples.Count | Should -BeGreaterOrEqual 3
        foreach ($example in $examples) {
            $command = "$example -ConfigPath '$config' -Realm KDCHA.TEST$(if ($example -notmatch '-WhatIf') { ' -WhatIf' })"
            $output = & ([Environment]::ProcessPath) @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -match '^dotnet') { Join-Path $PSHOME 'pwsh.dll' }) `
                -NoProfile -NonInteractive -Command "Import-Module '$manifest'; $command" 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "$command`n$($output -join "`n")"
            $output -join "`n" | Should -BeLike '*on target "vrrp_instance KDC_VIP (198.51.100.77 on lo)"*' -Because $command
        }
        Join-Path $state 'maintenance-KDC_VIP' | Should -Not -Exist
    }

    It 'AsksWhichInstanceWhenTheConfigurationHasSeveralAndNoneIsGiven' {
        $config = New-KeepalivedConfig
        Add-Content -LiteralPath $config -Value "vrrp_instance VI_2 {`n    interface lo`n    virtual_router_id 52`n    virtual_ipaddress {`n        198.51.100.78/32`n    }`n}"
        { Move-KdcVip -ConfigPath $config -Realm KDCHA.TEST -WhatIf } |
            Should -Throw -ErrorId 'InstanceRequired,KdcHa.Commands.MoveKdcVipCommand' -ExpectedMessage '*2 vrrp_instances (VI_1, VI_2)*'
    }

    It 'ReportsAConfigurationWithoutInstancesWhenNoneIsGiven' {
        $config = Join-Path $workDir 'no-instances.conf'
        Set-Content -LiteralPath $config -Value "global_defs {`n    router_id kdc1`n}"
        { Move-KdcVip -Restore -ConfigPath $config -Realm KDCHA.TEST -WhatIf } |
            Should -Throw -ErrorId 'InstanceRequired,KdcHa.Commands.MoveKdcVipCommand' -ExpectedMessage '*defines no vrrp_instance*'
    }

    It 'Direct mode reports an interface that does not exist' {
        { Move-KdcVip -Direct -Interface kdchanoif0 -Address 198.51.100.77/32 } |
            Should -Throw -ErrorId 'InterfaceNotFound,KdcHa.Commands.MoveKdcVipCommand'
    }

    It 'Direct mode refuses an address it cannot parse' {
        { Move-KdcVip -Direct -Interface lo -Address 198.51.100.77/33 } |
            Should -Throw -ErrorId 'InvalidAddress,KdcHa.Commands.MoveKdcVipCommand'
    }

    It '-WhatIf in a non-interactive pwsh says what would change and changes nothing' {
        $config = New-KeepalivedConfig
        $output = & ([Environment]::ProcessPath) @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -match '^dotnet') { Join-Path $PSHOME 'pwsh.dll' }) `
            -NoProfile -NonInteractive -Command "Import-Module '$manifest'; Move-KdcVip -Instance VI_1 -ConfigPath '$config' -Realm KDCHA.TEST -WhatIf" 2>&1
        $LASTEXITCODE | Should -Be 0
        $text = $output -join "`n"
        $text | Should -BeLike "*What if: Performing the operation ""Demote this node until Move-KdcVip -Restore: write 1 to $workDir/maintenance/VI_1 (track_file kdcha_maint_VI_1, weight -253*"
        $text | Should -BeLike '*on target "vrrp_instance VI_1 (198.51.100.77 on lo)"*'
        Join-Path $workDir 'maintenance/VI_1' | Should -Not -Exist
    }
}

Describe 'Move-KdcVip in the lab: kdc1 to kdc2 and back under kinit load' -Tag Lab {
    BeforeAll {
        $lab = New-KdcHaLab -KdcCount 2 -ClientCount 1
        foreach ($node in $lab.Kdcs) {
            $config = New-KdcHaLabMaintenanceKeepalivedConfig -Lab $lab -Node $node -Priority @{ kdc1 = 90; kdc2 = 80 }[$node.Name]
            $null = Start-KdcHaLabKeepalived -Lab $lab -Node $node -ConfigText $config
        }
        $kdc1 = $lab.Kdcs[0]
        $kdc2 = $lab.Kdcs[1]
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1
        $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 5
        Start-Sleep -Seconds 1
    }

    AfterAll {
        Remove-KdcHaLab -Lab $lab
    }

    It 'moves the VIP to kdc2 and proves that it answers Kerberos there' {
        $moved = Invoke-MoveKdcVip -Lab $lab -Node kdc1 -Arguments "-To $($kdc2.Address)"

        $moved.Verified | Should -BeTrue
        $moved.Operation | Should -Be 'Move'
        $moved.Mode | Should -Be 'Standby'
        $moved.From | Should -Be $kdc1.Address
        $moved.To | Should -Be $kdc2.Address
        $moved.VipProbeStatus | Should -Be 'Healthy'
        $moved.Demoted | Should -BeTrue
        $moved.DurationMilliseconds | Should -BeLessThan 2000
        Get-KdcHaLabVipHolder -Lab $lab | Should -Be 'kdc2'
    }

    It 'keeps kdc1 demoted across a keepalived restart' {
        $null = Stop-KdcHaLabKeepalived -Lab $lab -Node kdc1
        $null = Start-KdcHaLabKeepalived -Lab $lab -Node kdc1 -ConfigText (Get-Content -Raw -LiteralPath $kdc1.KeepalivedConfig)
        # Ten advert intervals and more: a preempting kdc1 would have taken the VIP back by now.
        Start-Sleep -Seconds 2
        Get-KdcHaLabVipHolder -Lab $lab | Should -Be 'kdc2'
        (Get-Content -Raw -LiteralPath (Join-Path $kdc1.Directory 'maintenance/KDC_VIP')).Trim() | Should -Be '1'
    }

    It 'refuses a second move on kdc2 towards a peer that is not there, and rolls back' {
        $n = $lab.Kdcs | Where-Object Name -EQ kdc2
        { Invoke-MoveKdcVip -Lab $lab -Node kdc2 -Arguments '-To 192.0.2.1 -TimeoutSeconds 1' } | Should -Throw '*No healthy peer took over*'
        (Get-Content -Raw -LiteralPath (Join-Path $n.Directory 'maintenance/KDC_VIP')).Trim() | Should -Be '0'
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc2 -TimeoutSec 3
    }

    It 'ReportsEachStageUnderOneActivityIdAndCompletesTheBarWhenTheMoveFails' {
        # The client never advertises VRRP: the move waits, times out and rolls back, as the test above does.
        $n = $lab.Kdcs | Where-Object Name -EQ kdc2
        $move = "@{ Instance = 'KDC_VIP'; ConfigPath = '$($n.KeepalivedConfig)'; Realm = '$($lab.Realm)'; To = '$($lab.Clients[0].Address)'; TimeoutSeconds = 1 }"
        $r = Invoke-KdcHaLabPwsh -Lab $lab -Node kdc2 -Command @"
`$ps = [powershell]::Create()
`$null = `$ps.AddCommand('Import-Module').AddParameter('Name', '$manifest').AddStatement().AddCommand('Move-KdcVip').AddParameters($move)
try { `$null = `$ps.Invoke() } catch { }
`$ps.Streams.Progress | Select-Object ActivityId, @{ n = 'RecordType'; e = { "`$(`$_.RecordType)" } }, CurrentOperation | ConvertTo-Json -Compress
"@
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $progress = @($r.StdOut | ConvertFrom-Json)
        $progress.ActivityId | Sort-Object -Unique | Should -Be 438980504
        $progress[-1].RecordType | Should -Be 'Completed'
        $stages = @($progress | Where-Object RecordType -EQ 'Processing' | ForEach-Object CurrentOperation)
        $stages[0] | Should -Be 'Demoting'
        $stages | Should -Contain 'RollingBack'
        (Get-Content -Raw -LiteralPath (Join-Path $n.Directory 'maintenance/KDC_VIP')).Trim() | Should -Be '0'
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc2 -TimeoutSec 3
    }

    It 'restores kdc1, which takes the VIP back, as the help example does it: without naming the only instance' {
        $restored = Invoke-MoveKdcVip -Lab $lab -Node kdc1 -Instance '' -Arguments '-Restore'

        $restored.Operation | Should -Be 'Restore'
        $restored.HoldsVip | Should -BeTrue
        $restored.VipProbeStatus | Should -Be 'Healthy'
        Get-KdcHaLabVipHolder -Lab $lab | Should -Be 'kdc1'
    }

    It 'lost no client authentication on the way' {
        Start-Sleep -Seconds 1
        $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab)
        $attempts.Count | Should -BeGreaterThan 20
        @($attempts | Where-Object ExitCode -NE 0) | Should -BeNullOrEmpty
    }
}

Describe 'Move-KdcVip -Direct in the lab: kdc1 to kdc2 by netlink and gratuitous ARP' -Tag Lab {
    BeforeAll {
        $lab = New-KdcHaLab -KdcCount 2 -ClientCount 1
        $client = $lab.Clients[0]
        $vip = $lab.Vip

        # Errors come back as "<FullyQualifiedErrorId>: <message>" on stderr, so a test can name the ErrorId.
        function Invoke-Direct([string] $Node, [string] $Arguments) {
            $n = $lab.Kdcs | Where-Object Name -EQ $Node
            $command = "Import-Module '$manifest'; try { Move-KdcVip -Direct -Interface $($n.Interface) -Address $vip/32 $Arguments -Confirm:`$false | ConvertTo-Json -Compress } " +
                "catch { [Console]::Error.WriteLine(`$_.FullyQualifiedErrorId + ': ' + `$_.Exception.Message); exit 2 }"
            $r = Invoke-KdcHaLabPwsh -Lab $lab -Node $Node -Command $command
            if ($r.ExitCode -ne 0) { throw "$($r.StdErr)$($r.StdOut)" }
            $r.StdOut | ConvertFrom-Json
        }

        function Get-NodeAddresses([string] $Node) {
            $n = $lab.Kdcs | Where-Object Name -EQ $Node
            (Invoke-KdcHaLabCommand -Lab $lab -FilePath ip -ArgumentList '-n', $n.Namespace, '-o', '-4', 'addr', 'show', 'dev', $n.Interface).StdOut
        }

        function Get-ClientNeighbour {
            (Invoke-KdcHaLabCommand -Lab $lab -FilePath ip -ArgumentList '-n', $client.Namespace, 'neigh', 'show', $vip).StdOut
        }

        function Get-Mac([string] $Node) {
            $n = $lab.Kdcs | Where-Object Name -EQ $Node
            (Invoke-KdcHaLabCommand -Lab $lab -Node $Node -FilePath cat -ArgumentList "/sys/class/net/$($n.Interface)/address").StdOut.Trim()
        }
    }

    AfterAll {
        Remove-KdcHaLab -Lab $lab
    }

    It 'takes the VIP on kdc1, and the client resolves it to kdc1' {
        $taken = Invoke-Direct kdc1 ''

        $taken.Operation | Should -Be 'Take'
        $taken.Changed | Should -BeTrue
        $taken.Probed | Should -BeTrue
        $taken.Announcements | Should -Be 3
        $taken.MacAddress | Should -Be (Get-Mac kdc1)
        Get-NodeAddresses kdc1 | Should -Match "inet $([regex]::Escape($vip))/32"
        # A datagram to the VIP makes the client's kernel resolve it and cache the holder's MAC, as any client would.
        $null = Invoke-KdcHaLabCommand -Lab $lab -Node $client -FilePath bash -ArgumentList '-c', "echo probe > /dev/udp/$vip/9"
        $deadline = [DateTime]::UtcNow.AddSeconds(3)
        while ((Get-ClientNeighbour) -notmatch (Get-Mac kdc1) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Get-ClientNeighbour | Should -Match "lladdr $(Get-Mac kdc1)"
    }

    It 'refuses to take the VIP on kdc2 while kdc1 answers for it, and adds nothing' {
        { Invoke-Direct kdc2 '' } | Should -Throw "AddressInUse,KdcHa.Commands.MoveKdcVipCommand: *$(Get-Mac kdc1) answered the ARP probe*"
        Get-NodeAddresses kdc2 | Should -Not -Match ([regex]::Escape($vip))
    }

    It 'moves to kdc2: the client hears the gratuitous ARP and its neighbour entry points to kdc2' {
        $released = Invoke-Direct kdc1 '-Release'
        $released.Changed | Should -BeTrue
        Get-NodeAddresses kdc1 | Should -Not -Match ([regex]::Escape($vip))

        $capture = Join-Path $lab.Directory 'direct-arp.txt'
        $errors = Join-Path $lab.Directory 'direct-arp.err'
        $tcpdump = Start-Process -FilePath ip -PassThru -RedirectStandardOutput $capture -RedirectStandardError $errors -ArgumentList @(
            'netns', 'exec', $client.Namespace, 'tcpdump', '-i', $client.Interface, '-n', '-e', '-l', 'arp', 'and', 'ether', 'src', (Get-Mac kdc2))
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while (-not ((Test-Path $errors) -and (Get-Content -Raw $errors) -match 'listening on') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $taken = Invoke-Direct kdc2 '-Count 2 -IntervalMilliseconds 100'
            $taken.Changed | Should -BeTrue
            $deadline = [DateTime]::UtcNow.AddSeconds(3)
            while (@(Get-Content $capture | Select-String "who-has $([regex]::Escape($vip)) tell $([regex]::Escape($vip))").Count -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        }
        finally {
            Stop-Process -Id $tcpdump.Id -ErrorAction Ignore
            $tcpdump.WaitForExit()
        }

        $lines = @(Get-Content $capture)
        @($lines | Select-String "who-has $([regex]::Escape($vip)) tell 0.0.0.0").Count | Should -Be 3 -Because 'the RFC 5227 probe comes first'
        @($lines | Select-String "$(Get-Mac kdc2) > ff:ff:ff:ff:ff:ff.*who-has $([regex]::Escape($vip)) tell $([regex]::Escape($vip))").Count | Should -Be 2
        Get-ClientNeighbour | Should -Match "lladdr $(Get-Mac kdc2)"
    }

    It '-Release removes the address, and a second -Release changes nothing' {
        (Invoke-Direct kdc2 '-Release').Changed | Should -BeTrue
        Get-NodeAddresses kdc2 | Should -Not -Match ([regex]::Escape($vip))
        (Invoke-Direct kdc2 '-Release').Changed | Should -BeFalse
    }

    It '-WhatIf states the address, the interface and the announcements, and adds nothing' {
        $n = $lab.Kdcs[0]
        $r = Invoke-KdcHaLabPwsh -Lab $lab -Node kdc1 -Command "Import-Module '$manifest'; Move-KdcVip -Direct -Interface $($n.Interface) -Address $vip/32 -Count 4 -WhatIf"
        $r.ExitCode | Should -Be 0
        $r.StdOut | Should -BeLike "*What if: Performing the operation ""Send an RFC 5227 ARP probe*send 4 gratuitous ARP announcements from $(Get-Mac kdc1), 200 ms apart"" on target ""$vip/32 on $($n.Interface)""*"
        Get-NodeAddresses kdc1 | Should -Not -Match ([regex]::Escape($vip))
    }
}
