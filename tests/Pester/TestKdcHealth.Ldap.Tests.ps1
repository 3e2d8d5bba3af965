#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Test-KdcHealth against real MIT krb5kdc processes whose realm lives in a real OpenLDAP slapd (krb5-kdc-ldap's kldap
# module), one directory shared by both KDCs (New-KdcHaLab -Database Ldap, issue 16): what each directory fault
# looks like to the probe.

BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force

    $sw = [Diagnostics.Stopwatch]::StartNew()
    $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 0 -Database Ldap
    $script:bringUpSeconds = $sw.Elapsed.TotalSeconds
    Write-Host ("LDAP lab {0}: 2 KDCs on one slapd up in {1:n2} s" -f $lab.Id, $bringUpSeconds)

    function Test-EveryKdc([int] $TimeoutMilliseconds = 1000) {
        foreach ($n in $lab.Kdcs) {
            Test-KdcHealth -Kdc $n.Address -Keytab $n.HealthKeytab -Principal "$($n.HealthPrincipal)@$($lab.Realm)" -TimeoutMilliseconds $TimeoutMilliseconds
        }
    }

    function Restore-Directory {
        if (-not (Test-Path $lab.Directory)) { return }
        $slapd = Get-KdcHaLabDirectory -Lab $lab
        if (-not $slapd.Alive) { $null = Start-KdcHaLabDirectory -Lab $lab -Node ldap1 } elseif ($slapd.Stopped) { $null = Resume-KdcHaLabDirectory -Lab $lab -Node ldap1 }
    }
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'KDCs on one shared LDAP directory' -Tag Lab {
    AfterEach { Restore-Directory }

    It 'ComesUpInUnderFifteenSeconds' {
        $bringUpSeconds | Should -BeLessThan 15
    }

    It 'RunsEveryKdcOnTheKldapModuleAgainstTheDirectory' {
        foreach ($n in $lab.Kdcs) {
            $conf = Get-Content -Raw (Join-Path $n.Directory 'kdc-88.conf')
            $conf | Should -Match 'db_library = kldap'
            $conf | Should -Match ([regex]::Escape("ldap_servers = ldap://$($lab.DirectoryServers[0].Address)/"))
        }
        (Get-KdcHaLabDirectory -Lab $lab).Alive | Should -BeTrue
    }

    It 'IsHealthyAndAuthenticatedOnEveryKdcWhileTheDirectoryIsUp' {
        $results = @(Test-EveryKdc)
        $results.Status | Should -Be @('Healthy', 'Healthy')
        $results.Level | Should -Be @('Authenticated', 'Authenticated')
    }

    It 'ServesAPrincipalAddedThroughKadminFromEveryKdcAtOnce' {
        $password = 'Carol-' + [guid]::NewGuid().ToString('n').Substring(0, 12)
        $null = Invoke-KdcHaLabKadmin -Lab $lab -Query "addprinc +requires_preauth -pw `"$password`" carol"
        $credential = [pscredential]::new("carol@$($lab.Realm)", (ConvertTo-SecureString $password -AsPlainText -Force))
        $results = @(foreach ($n in $lab.Kdcs) { Test-KdcHealth -Kdc $n.Address -Credential $credential })
        $results.Status | Should -Be @('Healthy', 'Healthy')
        $results.Level | Should -Be @('Authenticated', 'Authenticated')
    }

    It 'ReportsDatabaseUnavailableWithTheKdcTextOnEveryKdcWhenTheDirectoryIsKilled' {
        $null = Stop-KdcHaLabDirectory -Lab $lab -Node ldap1
        $results = @(Test-EveryKdc)
        $results.Status | Should -Be @('DatabaseUnavailable', 'DatabaseUnavailable')
        $results.ErrorName | Should -Be @('KRB_ERR_GENERIC', 'KRB_ERR_GENERIC')
        foreach ($r in $results) { $r.Message | Should -Match 'LOOKING_UP_CLIENT' }
        # The Reachable probe looks a name up too, so it sees the same failure.
        (Test-KdcHealth -Kdc $lab.Kdcs[0].Address -Realm $lab.Realm).Status | Should -Be 'DatabaseUnavailable'
    }

    It 'IsHealthyAgainOnTheFirstProbeOnceTheDirectoryIsBack' {
        $null = Stop-KdcHaLabDirectory -Lab $lab -Node ldap1
        (Test-EveryKdc).Status | Should -Be @('DatabaseUnavailable', 'DatabaseUnavailable')
        $null = Start-KdcHaLabDirectory -Lab $lab -Node ldap1
        # MIT reconnects to the directory on the next request: no KDC restart, no second try.
        (Test-EveryKdc).Status | Should -Be @('Healthy', 'Healthy')
    }

    It 'ReportsTimeoutWithinTheProbeDeadlineWhenTheDirectoryHangs' {
        $null = Suspend-KdcHaLabDirectory -Lab $lab -Node ldap1
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $results = @(Test-EveryKdc -TimeoutMilliseconds 500)
        $elapsed = $sw.Elapsed.TotalMilliseconds
        # A KDC waiting on a hung directory says nothing at all: to a client it is a hung KDC.
        $results.Status | Should -Be @('Timeout', 'Timeout')
        foreach ($r in $results) { $r.RoundTripMilliseconds | Should -BeLessThan 600 }
        $elapsed | Should -BeLessThan 3000
        $null = Resume-KdcHaLabDirectory -Lab $lab -Node ldap1
        (Test-EveryKdc -TimeoutMilliseconds 3000).Status | Should -Be @('Healthy', 'Healthy')
    }

    It 'RemovesSlapdWithTheLab' {
        $slapd = Get-KdcHaLabProcess -Lab $lab | Where-Object Key -EQ 'ldap1.slapd'
        $slapd.Alive | Should -BeTrue
        Remove-KdcHaLab -Lab $lab
        Test-Path "/proc/$($slapd.Pid)" | Should -BeFalse
        Test-Path $lab.Directory | Should -BeFalse
        (ip netns list) -match "kdchalab-$($lab.Id)-ldap1" | Should -BeNullOrEmpty
    }
}
