#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Test-KdcHealth against real MIT krb5kdc processes in the lab (root only): every status the probe reports is
# produced here by a real KDC in that condition, not by a fake.

BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force

    $script:lab = New-KdcHaLab -KdcCount 1 -ClientCount 0
    $script:kdc = $lab.Kdcs[0]
    $script:keytabs = Join-Path $lab.Directory 'test-keytabs'
    New-Item -ItemType Directory -Path $keytabs | Out-Null

    function New-LabPrincipalKeytab([string] $Name, [string] $Enctype) {
        $path = Join-Path $keytabs "$($Name -replace '/', '_').keytab"
        Invoke-KdcHaLabKadmin -Lab $lab -Query "addprinc +requires_preauth -e $($Enctype):normal -randkey $Name" | Out-Null
        Invoke-KdcHaLabKadmin -Lab $lab -Query "ktadd -k $path -e $($Enctype):normal $Name" | Out-Null
        chmod 600 $path
        $path
    }

    function New-AliceCredential([string] $Password) {
        [pscredential]::new("alice@$($lab.Realm)", (ConvertTo-SecureString $Password -AsPlainText -Force))
    }
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'A healthy MIT KDC' -Tag Lab {
    It 'is Healthy at the Reachable level with no principal: the probe name is looked up and unknown' {
        $result = Test-KdcHealth -Kdc $kdc.Address -Realm $lab.Realm
        $result.Status | Should -Be 'Healthy'
        $result.Level | Should -Be 'Reachable'
        $result.ErrorName | Should -Be 'KDC_ERR_C_PRINCIPAL_UNKNOWN'
        [math]::Abs($result.ClockSkewSeconds) | Should -BeLessThan 5
    }

    It 'is Healthy and Authenticated with a keytab (<Enctype>)' -ForEach @(
        @{ Enctype = 'aes256-cts-hmac-sha1-96' }
        @{ Enctype = 'aes128-cts-hmac-sha1-96' }
    ) {
        $keytab = New-LabPrincipalKeytab -Name "probe-$($Enctype.Substring(0, 6))" -Enctype $Enctype
        $result = Test-KdcHealth -Kdc $kdc.Address -Keytab $keytab
        $result.Status | Should -Be 'Healthy'
        $result.Level | Should -Be 'Authenticated'
        $result.EncryptionType | Should -Be $Enctype
        $result.ErrorCode | Should -BeNullOrEmpty
    }

    It 'is Healthy with the node health keytab, principal named explicitly, over TCP too' {
        $udp = Test-KdcHealth -Kdc $kdc.Address -Keytab $kdc.HealthKeytab -Principal "$($kdc.HealthPrincipal)@$($lab.Realm)" -Transport Udp
        $tcp = Test-KdcHealth -Kdc "$($kdc.Address):88" -Keytab $kdc.HealthKeytab -Principal "$($kdc.HealthPrincipal)@$($lab.Realm)" -Transport Tcp
        $udp.Status | Should -Be 'Healthy'
        $udp.Transport | Should -Be 'Udp'
        $tcp.Status | Should -Be 'Healthy'
        $tcp.Transport | Should -Be 'Tcp'
    }

    It 'is Healthy with a password, and a KeyMismatch with the wrong one' {
        (Test-KdcHealth -Kdc $kdc.Address -Credential (New-AliceCredential $lab.AlicePassword)).Status | Should -Be 'Healthy'
        $wrong = Test-KdcHealth -Kdc $kdc.Address -Credential (New-AliceCredential 'not-the-password')
        $wrong.Status | Should -Be 'KeyMismatch'
        $wrong.ErrorName | Should -Be 'KDC_ERR_PREAUTH_FAILED'
    }

    It 'reports a KeyMismatch once the principal key changes under the keytab' {
        $keytab = New-LabPrincipalKeytab -Name 'rotated' -Enctype 'aes256-cts-hmac-sha1-96'
        (Test-KdcHealth -Kdc $kdc.Address -Keytab $keytab).Status | Should -Be 'Healthy'
        Invoke-KdcHaLabKadmin -Lab $lab -Query 'cpw -randkey rotated' | Out-Null
        $stale = Test-KdcHealth -Kdc $kdc.Address -Keytab $keytab
        $stale.Status | Should -Be 'KeyMismatch'
        $stale.IsHealthy | Should -BeFalse
    }

    It 'pre-authenticates in its first request once the principal is known, and asks again when the key changed' {
        $keytab = New-LabPrincipalKeytab -Name 'hinted' -Enctype 'aes256-cts-hmac-sha1-96'
        $kdcLog = Join-Path $kdc.Directory 'krb5kdc-88.log'
        $asRequests = { @(Select-String -LiteralPath $kdcLog -Pattern "AS_REQ .*\bhinted@$($lab.Realm) for").Count }
        (Test-KdcHealth -Kdc $kdc.Address -Keytab $keytab).Status | Should -Be 'Healthy'

        $before = & $asRequests
        (Test-KdcHealth -Kdc $kdc.Address -Keytab $keytab).Status | Should -Be 'Healthy'
        (& $asRequests) - $before | Should -Be 1

        Invoke-KdcHaLabKadmin -Lab $lab -Query 'cpw -randkey hinted' | Out-Null
        $before = & $asRequests
        (Test-KdcHealth -Kdc $kdc.Address -Keytab $keytab).Status | Should -Be 'KeyMismatch'
        (& $asRequests) - $before | Should -Be 3 -Because 'the hint is refused, then the probe asks the KDC and tries its answer'
    }

    It 'reports PrincipalUnknown for a principal the realm does not have' {
        $result = Test-KdcHealth -Kdc $kdc.Address -Principal "nobody@$($lab.Realm)"
        $result.Status | Should -Be 'PrincipalUnknown'
        $result.ErrorCode | Should -Be 6
    }
}

Describe 'A hung KDC (SIGSTOP: process alive, port open, no answer)' -Tag Lab {
    BeforeAll {
        $null = Suspend-KdcHaLabKdc -Lab $lab -Node $kdc
    }

    AfterAll {
        $null = Resume-KdcHaLabKdc -Lab $lab -Node $kdc
    }

    It 'is a Timeout over <Transport>, returned within the timeout plus 100 ms' -ForEach @(
        @{ Transport = 'Udp' }
        @{ Transport = 'Tcp' }
    ) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $result = Test-KdcHealth -Kdc $kdc.Address -Keytab $kdc.HealthKeytab -Transport $Transport -TimeoutMilliseconds 500
        $clock.Stop()
        $result.Status | Should -Be 'Timeout'
        $result.Transport | Should -Be $Transport
        $result.RoundTripMilliseconds | Should -BeLessThan 600
        $clock.Elapsed.TotalMilliseconds | Should -BeLessThan 600
    }

    It 'does not delay the results of healthy KDCs probed alongside it' {
        $null = Start-KdcHaLabKdc -Lab $lab -Node $kdc -Port 1088
        try {
            $results = Test-KdcHealth -Kdc $kdc.Address, "$($kdc.Address):1088" -Keytab $kdc.HealthKeytab -TimeoutMilliseconds 2000
            $healthy = $results | Where-Object Kdc -EQ "$($kdc.Address):1088"
            $healthy.Status | Should -Be 'Healthy'
            $healthy.RoundTripMilliseconds | Should -BeLessThan 500
            ($results | Where-Object Kdc -EQ "$($kdc.Address):88").Status | Should -Be 'Timeout'
            # Completion order: the healthy KDC's result is written first.
            $results[0].Kdc | Should -Be "$($kdc.Address):1088"
        }
        finally {
            $null = Stop-KdcHaLabKdc -Lab $lab -Node $kdc -Port 1088
        }
    }

    It 'is Healthy again after SIGCONT' {
        $null = Resume-KdcHaLabKdc -Lab $lab -Node $kdc
        (Test-KdcHealth -Kdc $kdc.Address -Keytab $kdc.HealthKeytab).Status | Should -Be 'Healthy'
        $null = Suspend-KdcHaLabKdc -Lab $lab -Node $kdc
    }
}

Describe 'A killed KDC' -Tag Lab {
    BeforeAll {
        $null = Stop-KdcHaLabKdc -Lab $lab -Node $kdc
    }

    AfterAll {
        $null = Start-KdcHaLabKdc -Lab $lab -Node $kdc
    }

    It 'is Refused over <Transport> in under 100 ms' -ForEach @(
        @{ Transport = 'Udp' }
        @{ Transport = 'Tcp' }
    ) {
        $result = Test-KdcHealth -Kdc $kdc.Address -Realm $lab.Realm -Transport $Transport
        $result.Status | Should -Be 'Refused'
        $result.RoundTripMilliseconds | Should -BeLessThan 100
    }
}

Describe 'A realm whose only enctype is aes256-cts-hmac-sha384-192' -Tag Lab {
    BeforeAll {
        $script:sha2Lab = New-KdcHaLab -KdcCount 1 -ClientCount 0 -Realm 'SHA2.TEST' -SupportedEnctypes 'aes256-cts-hmac-sha384-192'
    }

    AfterAll {
        Remove-KdcHaLab -Lab $script:sha2Lab
    }

    It 'authenticates with a keytab and with a password' {
        $node = $sha2Lab.Kdcs[0]
        $byKeytab = Test-KdcHealth -Kdc $node.Address -Keytab $node.HealthKeytab
        $byKeytab.Status | Should -Be 'Healthy'
        $byKeytab.EncryptionType | Should -Be 'aes256-cts-hmac-sha384-192'
        $credential = [pscredential]::new('alice@SHA2.TEST', (ConvertTo-SecureString $sha2Lab.AlicePassword -AsPlainText -Force))
        $byPassword = Test-KdcHealth -Kdc $node.Address -Credential $credential
        $byPassword.Status | Should -Be 'Healthy'
        $byPassword.EncryptionType | Should -Be 'aes256-cts-hmac-sha384-192'
    }
}
