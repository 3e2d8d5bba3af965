#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# New-KdcHaKeepalivedConfig's active-active form: what it writes, that keepalived -t accepts every node's file, and
# the single-VIP form beside it. keepalived -t runs in a namespace of its own whose only link is a veth pair inside
# it, so nothing can leave; the addresses are loopback ones and are never sent to.

BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $script:vips = '127.0.0.101', '127.0.0.102', '127.0.0.103'
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "kdcha-kaconf-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $work

    function New-ActiveActive([int] $Node, [hashtable] $Extra = @{}) {
        $arguments = @{ Interface = 'kaa0'; VirtualAddress = $vips; ActiveActiveNode = $Node; Priority = 200; RouterId = "kdc$Node"; StateDirectory = $work }
        foreach ($key in $Extra.Keys) { $arguments[$key] = $Extra[$key] }
        New-KdcHaKeepalivedConfig @arguments
    }

    function Get-Instance([string] $Text) {
        foreach ($m in [regex]::Matches($Text, '(?ms)^vrrp_instance (\S+) \{.*?virtual_router_id (\d+)\s+priority (\d+).*?virtual_ipaddress \{\s+(\S+)')) {
            [pscustomobject]@{ Name = $m.Groups[1].Value; Vrid = [int]$m.Groups[2].Value; Priority = [int]$m.Groups[3].Value; Vip = $m.Groups[4].Value }
        }
    }

    $script:namespace = "kdcha-kaconf-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
    ip netns add $namespace
    ip -n $namespace link add kaa0 type veth peer name kaa1
    ip -n $namespace link set kaa0 up
}

AfterAll {
    ip netns del $script:namespace
    Remove-Item -LiteralPath $script:work -Recurse -Force -ErrorAction Ignore
}

Describe 'New-KdcHaKeepalivedConfig -ActiveActiveNode' {
    It 'WritesOneInstancePerVipWithConsecutiveVridsOnEveryNode' {
        foreach ($node in 1..3) {
            $instances = @(Get-Instance (New-ActiveActive $node))
            $instances.Name | Should -Be 'KDC_VIP_1', 'KDC_VIP_2', 'KDC_VIP_3'
            $instances.Vrid | Should -Be 51, 52, 53
            $instances.Vip | Should -Be '127.0.0.101/32', '127.0.0.102/32', '127.0.0.103/32'
        }
    }

    It 'MakesEachNodeThePrimaryOfItsOwnVipAndRotatesTheBackups' {
        $priority = @{}
        foreach ($node in 1..3) { foreach ($i in Get-Instance (New-ActiveActive $node)) { $priority["$($i.Name) kdc$node"] = $i.Priority } }
        foreach ($vip in 1..3) {
            $ranking = 1..3 | Sort-Object { - $priority["KDC_VIP_$vip kdc$_"] }
            $ranking | Should -Be @(0..2 | ForEach-Object { (($vip - 1 + $_) % 3) + 1 }) -Because "node $vip is the primary of KDC_VIP_$vip and the next node its first backup"
        }
        $priority['KDC_VIP_2 kdc2'] | Should -Be 200
        $priority['KDC_VIP_3 kdc2'] | Should -Be 180
    }

    It 'TracksTheOneFaultFileInEveryInstanceAndAMaintenanceFilePerInstance' {
        $text = New-ActiveActive 1
        ([regex]::Matches($text, '(?m)^        kdcha_fault$')).Count | Should -Be 3
        foreach ($vip in 1..3) { $text | Should -Match "(?m)^    file `"$([regex]::Escape($work))/maintenance-KDC_VIP_$vip`"$" }
        ([regex]::Matches($text, '(?m)^track_file kdcha_fault \{$')).Count | Should -Be 1
    }

    It 'CarriesAKrb5ConfSnippetWithEveryVipStartingWithThisNodes' {
        $text = New-ActiveActive 3
        $kdcs = [regex]::Matches($text, '(?m)^#           kdc = (\S+)$') | ForEach-Object { $_.Groups[1].Value }
        $kdcs | Should -Be '127.0.0.103', '127.0.0.101', '127.0.0.102'
    }

    It 'IsAcceptedByKeepalivedOnEveryNode' {
        foreach ($node in 1..3) {
            $path = Join-Path $work "kdc$node.conf"
            New-ActiveActive $node | Set-Content -LiteralPath $path
            $output = ip netns exec $namespace keepalived -t -l -f $path 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        }
    }

    It 'KeepalivedRefusesTheFileWhenTwoInstancesShareAVrid' {
        $path = Join-Path $work 'clash.conf'
        (New-ActiveActive 1) -replace 'virtual_router_id 52', 'virtual_router_id 51' | Set-Content -LiteralPath $path
        $output = ip netns exec $namespace keepalived -t -l -f $path 2>&1
        $LASTEXITCODE | Should -Not -Be 0 -Because 'the keepalived -t check above must be able to fail'
        $output -join "`n" | Should -Match 'VRID 51'
    }

    It 'Refuses<Setting>WhenItBreaksTheRotation' -ForEach @(
        @{ Extra = @{ ActiveActiveNode = 4 }; Setting = 'ActiveActiveNode' }
        @{ Extra = @{ VirtualRouterId = 254 }; Setting = 'VirtualRouterId' }
        @{ Extra = @{ Priority = 20 }; Setting = 'PriorityStep' }
        @{ Extra = @{ MonitorWeight = 20 }; Setting = 'MonitorWeight' }
        @{ Extra = @{ VirtualAddress = '127.0.0.101' }; Setting = 'VirtualAddress' }
    ) {
        { New-ActiveActive 1 $Extra } | Should -Throw -ErrorId 'InvalidKeepalivedSetting,KdcHa.Commands.NewKdcHaKeepalivedConfigCommand' -ExpectedMessage "*$Setting*"
    }
}

Describe 'New-KdcHaKeepalivedConfig with one VIP' {
    It 'StillWritesOneInstanceNamedAsToldWithEveryAddress' {
        $text = New-KdcHaKeepalivedConfig -Interface kaa0 -VirtualAddress '127.0.0.101', '127.0.0.102' -Priority 150 -InstanceName KDC -StateDirectory $work
        $instances = @(Get-Instance $text)
        $instances.Name | Should -Be 'KDC'
        $instances.Priority | Should -Be 150
        $text | Should -Match '(?m)^        127\.0\.0\.102/32 dev kaa0$'
        $text | Should -Not -Match 'kdc = '
        $path = Join-Path $work 'single.conf'
        $text | Set-Content -LiteralPath $path
        $output = ip netns exec $namespace keepalived -t -l -f $path 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
    }
}
