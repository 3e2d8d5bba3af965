#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# New-KdcHaHaproxyConfig: the text it writes and the settings it refuses; haproxy -c accepts it; and in the lab, a
# real haproxy (its own process, not the system service) with the written configuration in front of two MIT KDCs.
# Every address written here is on loopback or in the lab's namespaces.

BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force

    function New-TestConfig([hashtable] $Extra = @{}) {
        $arguments = @{ Kdc = '127.0.0.2', '127.0.0.3:8888'; VirtualAddress = '127.0.0.100'; Realm = 'KDCHA.TEST' }
        foreach ($key in $Extra.Keys) { $arguments[$key] = $Extra[$key] }
        New-KdcHaHaproxyConfig @arguments
    }
}

Describe 'New-KdcHaHaproxyConfig' {
    It 'WritesATcpFrontendOnTheVipAndABackendWithEveryKdcAndTheAgentCheck' {
        $text = New-TestConfig @{ AgentPort = 9000; AgentIntervalMilliseconds = 250 }

        $text | Should -Match '(?m)^frontend kerberos$'
        $text | Should -Match '(?m)^    mode tcp$'
        $text | Should -Match '(?m)^    bind 127\.0\.0\.100:88$'
        $text | Should -Match '(?m)^    server 127\.0\.0\.2 127\.0\.0\.2:88$'
        $text | Should -Match '(?m)^    server 127\.0\.0\.3_8888 127\.0\.0\.3:8888$'
        $text | Should -Match '(?m)^    default-server weight 100 check inter 1000 fall 2 rise 2 agent-check agent-port 9000 agent-inter 250$'
    }

    It 'SendsTheSameFramedAsReqForTheStandInClientOnEveryCheck' {
        $first = New-TestConfig
        $hex = [regex]::Match($first, '(?m)^    tcp-check send-binary ([0-9A-F]+)$').Groups[1].Value
        $bytes = [Convert]::FromHexString($hex)

        [Buffers.Binary.BinaryPrimitives]::ReadUInt32BigEndian($bytes) | Should -Be ($bytes.Length - 4) -Because 'RFC 4120 frames a TCP message with its length'
        $bytes[4] | Should -Be 0x6A -Because 'an AS-REQ is APPLICATION 10'
        [Text.Encoding]::ASCII.GetString($bytes) | Should -Match 'kdcha-probe'
        [Text.Encoding]::ASCII.GetString($bytes) | Should -Match 'KDCHA\.TEST'
        (New-TestConfig) | Should -BeExactly $first -Because 'HAProxy replays one request, so it must not change'
    }

    It 'ExpectsTheLengthThenAKrbErrorOrAsRepTagAtTheStartOfTheReply' {
        New-TestConfig | Should -Match ([regex]::Escape('tcp-check expect min-recv 5 rbinary ^00[0-9A-Fa-f]{6}(7[Ee]|6[Bb])'))
    }

    It 'WritesAnIpv6AddressWithTheIpv6Prefix' {
        $text = New-KdcHaHaproxyConfig -Kdc ::1 -VirtualAddress ::1 -Realm KDCHA.TEST -Port 8088
        $text | Should -Match '(?m)^    bind ipv6@::1:8088$'
        $text | Should -Match '(?m)^    server __1 ipv6@::1:88$'
    }

    It 'RefusesAnInvalidSettingAsInvalidHaproxySetting (<Setting>)' -ForEach @(
        @{ Setting = 'Kdc'; Extra = @{ Kdc = 'two words' } }
        @{ Setting = 'Kdc'; Extra = @{ Kdc = '127.0.0.2', '127.0.0.2:88' } }
        @{ Setting = 'VirtualAddress'; Extra = @{ VirtualAddress = '127.5' } }
        @{ Setting = 'Realm'; Extra = @{ Realm = 'TWO WORDS' } }
        @{ Setting = 'AgentPort'; Extra = @{ AgentPort = 0 } }
        @{ Setting = 'AgentIntervalMilliseconds'; Extra = @{ AgentIntervalMilliseconds = 50 } }
        @{ Setting = 'StatsSocket'; Extra = @{ StatsSocket = 'relative.sock' } }
    ) {
        $failure = { New-TestConfig $Extra } | Should -Throw -ErrorId 'InvalidHaproxySetting,KdcHa.Commands.NewKdcHaHaproxyConfigCommand' -PassThru
        $failure.TargetObject | Should -Be $Setting
    }

    It 'WritesTheFileAndReturnsItWithPassThruButNothingWithWhatIf' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "kdcha-$([guid]::NewGuid().ToString('N')).cfg"
        try {
            New-TestConfig @{ Path = $path; WhatIf = $true } | Should -BeNullOrEmpty
            Test-Path -LiteralPath $path | Should -BeFalse

            $file = New-TestConfig @{ Path = $path; PassThru = $true; Confirm = $false }
            $file.FullName | Should -Be $path
            [IO.File]::ReadAllText($path) | Should -BeExactly (New-TestConfig)
        } finally { Remove-Item -LiteralPath $path -ErrorAction Ignore }
    }
}

Describe 'New-KdcHaHaproxyConfig and haproxy -c' -Skip:(-not (Get-Command haproxy -CommandType Application -ErrorAction Ignore)) {
    It 'WritesAConfigurationThatHaproxyAccepts (<Family>)' -ForEach @(
        @{ Family = 'IPv4'; Kdc = '127.0.0.2', '127.0.0.3:8888'; Vip = '127.0.0.100', '127.0.0.101' }
        @{ Family = 'IPv6'; Kdc = '::1', '[::1]:8888'; Vip = '::1' }
    ) {
        $path = Join-Path ([IO.Path]::GetTempPath()) "kdcha-$([guid]::NewGuid().ToString('N')).cfg"
        try {
            $null = New-KdcHaHaproxyConfig -Kdc $Kdc -VirtualAddress $Vip -Realm KDCHA.TEST -StatsSocket "$path.sock" -Path $path -Confirm:$false
            $check = haproxy -c -f $path 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($check -join "`n")
        } finally { Remove-Item -LiteralPath $path -ErrorAction Ignore }
    }
}

Describe 'haproxy with New-KdcHaHaproxyConfig in front of two lab KDCs' -Tag Lab {
    BeforeAll {
        Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
        # client1 runs kinit, client2 runs haproxy; the frontend binds client2's own address.
        $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 2
        $script:proxy = $lab.Clients[1]
        $config = New-KdcHaHaproxyConfig -Kdc @($lab.Kdcs | ForEach-Object Address) -VirtualAddress $proxy.Address -Realm $lab.Realm -CheckIntervalMilliseconds 200 -StatsSocket (Join-Path $proxy.Directory 'haproxy.sock')
        $null = Start-KdcHaLabHaproxy -Lab $lab -Node $proxy -ConfigText $config
        $script:tcpConf = New-KdcHaLabKrb5Conf -Lab $lab -Kdc "$($proxy.Address):88" -UdpPreferenceLimit 1
        foreach ($kdc in $lab.Kdcs) { $null = Wait-KdcHaLabHaproxyServer -Lab $lab -Node $proxy -Server $kdc.Address -Status UP }
    }

    AfterAll {
        Remove-KdcHaLab -Lab $script:lab
    }

    It 'PassesKinitOverTcpThroughHaproxy' {
        $before = (Get-KdcHaLabHaproxyServer -Lab $lab -Node $proxy | Measure-Object TotalSessions -Sum).Sum

        $kinit = Invoke-KdcHaLabKinit -Lab $lab -Krb5Conf $tcpConf

        $kinit.Succeeded | Should -BeTrue -Because $kinit.Output
        (Get-KdcHaLabHaproxyServer -Lab $lab -Node $proxy | Measure-Object TotalSessions -Sum).Sum | Should -BeGreaterThan $before -Because 'the exchange went through haproxy over TCP'
    }

    It 'MarksAHungKdcDownByItsKerberosCheckWhileAPlainTcpConnectStillSucceeds' {
        $hung = $lab.Kdcs[0]
        $null = Suspend-KdcHaLabKdc -Lab $lab -Node $hung
        try {
            $down = Wait-KdcHaLabHaproxyServer -Lab $lab -Node $proxy -Server $hung.Address -Status DOWN -TimeoutMs 8000
            $down.CheckStatus | Should -Match 'TOUT' -Because 'the KDC took the connection and never answered the AS-REQ'

            $client = [Net.Sockets.TcpClient]::new()
            try { $client.ConnectAsync($hung.Address, 88).Wait(2000) | Should -BeTrue -Because 'the kernel still completes the handshake of a hung krb5kdc' }
            finally { $client.Dispose() }

            $kinit = Invoke-KdcHaLabKinit -Lab $lab -Krb5Conf $tcpConf
            $kinit.Succeeded | Should -BeTrue -Because "the other KDC serves: $($kinit.Output)"
        } finally { $null = Resume-KdcHaLabKdc -Lab $lab -Node $hung }
        $null = Wait-KdcHaLabHaproxyServer -Lab $lab -Node $proxy -Server $hung.Address -Status UP
    }
}
