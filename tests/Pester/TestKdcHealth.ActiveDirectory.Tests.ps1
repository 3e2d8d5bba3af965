#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Test-KdcHealth against a real Samba AD DC (samba-ad-dc), provisioned from scratch in a lab namespace by the tests
# and torn down after (issue 16): the probe matrix, and what the DC audits for each probe (its auth_json_audit log,
# Windows event ids 4624/4625).

BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force

    $sw = [Diagnostics.Stopwatch]::StartNew()
    $script:lab = New-KdcHaLab -KdcCount 1 -ClientCount 0 -NoKdc
    $script:dc = Start-KdcHaLabSambaDc -Lab $lab -Node kdc1
    $script:bringUpSeconds = $sw.Elapsed.TotalSeconds
    Write-Host ("Samba AD DC lab {0}: provisioned in {1:n2} s, up in {2:n2} s" -f $lab.Id, $dc.ProvisionSeconds, $bringUpSeconds)

    $script:realm = $dc.Realm
    $script:keytabDirectory = Join-Path $lab.Directory 'keytabs'
    $null = New-Item -ItemType Directory -Path $keytabDirectory

    function New-ProbeUser([string] $Name) {
        $password = 'Pr0be-' + [guid]::NewGuid().ToString('n').Substring(0, 16)
        $null = Invoke-KdcHaLabSambaTool -Dc $dc -ArgumentList 'user', 'add', $Name, $password
        [pscredential]::new("$Name@$realm", (ConvertTo-SecureString $password -AsPlainText -Force))
    }

    function Export-Keytab([string] $Principal, [string] $Name) {
        $path = Join-Path $keytabDirectory "$Name.keytab"
        $null = Invoke-KdcHaLabSambaTool -Dc $dc -ArgumentList 'domain', 'exportkeytab', $path, "--principal=$Principal"
        $path
    }

    function Select-KeytabEnctype([string] $Path, [string] $Enctype) {
        # A copy of the keytab with only one encryption type's keys (ktutil deletes the others, last slot first).
        $listing = ("rkt $Path`nlist -e`nquit`n" | ktutil) -join "`n"
        $others = @([regex]::Matches($listing, '(?m)^\s*(\d+)\s+\d+\s+\S+\s+\((?:DEPRECATED:)?([^)]+)\)') |
            Where-Object { $_.Groups[2].Value -ne $Enctype } | ForEach-Object { [int]$_.Groups[1].Value } | Sort-Object -Descending)
        $copy = $Path -replace '\.keytab$', ".$Enctype.keytab"
        $script = @("rkt $Path") + @($others | ForEach-Object { "delent $_" }) + @("wkt $copy", 'quit')
        $null = ($script -join "`n") + "`n" | ktutil
        $copy
    }

    function Get-AuditCount([string] $Account, [int] $EventId) {
        @(Get-KdcHaLabSambaAuthEvent -Dc $dc -Account $Account | Where-Object EventId -EQ $EventId).Count
    }

    function Wait-AuditCount([string] $Account, [int] $EventId, [int] $Count) {
        # The DC writes its audit line after answering; give it a moment before counting.
        $deadline = [DateTime]::UtcNow.AddSeconds(2)
        while ((Get-AuditCount $Account $EventId) -lt $Count -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        Get-AuditCount $Account $EventId
    }

    # Not kdcha-probe: that is the stand-in name a Reachable probe without -Principal asks for, which must not exist.
    $script:probe = New-ProbeUser 'kdcha-monitor'
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Test-KdcHealth against a Samba AD DC' -Tag Lab {
    It 'ComesUpInUnderSixtySeconds' {
        $bringUpSeconds | Should -BeLessThan 60
    }

    It 'RunsOnlyTheKdcServiceBoundToItsNamespaceAddress' {
        $listening = (Invoke-KdcHaLabCommand -Lab $lab -Node kdc1 -FilePath ss -ArgumentList '-Hlntu').StdOut -split "`n" | Where-Object { $_ }
        $listening | Should -Not -BeNullOrEmpty
        foreach ($line in $listening) { $line | Should -Match ([regex]::Escape("$($dc.Address):")) }
        (Get-Content -Raw $dc.SmbConf) | Should -Match 'server services = kdc'
    }

    It 'AuthenticatesOverTcpAfterResponseTooBigAndThenLogsOneLogonPerProbe' {
        # The DC's AS-REP with its PAC does not fit in its UDP limit. The first Auto probe finds out (UDP, then TCP);
        # the KDC is remembered as needing TCP, so each later probe is one logon.
        $first = Test-KdcHealth -Kdc $dc.Address -Credential $probe -Transport Auto
        $first.Status | Should -Be 'Healthy'
        $first.Transport | Should -Be 'Tcp'
        $afterFirst = Wait-AuditCount $probe.UserName 4624 1
        $later = @(1..3 | ForEach-Object { Test-KdcHealth -Kdc $dc.Address -Credential $probe -Transport Auto })
        $later.Status | Should -Be @('Healthy', 'Healthy', 'Healthy')
        $later.Transport | Should -Be @('Tcp', 'Tcp', 'Tcp')
        # MIT's kinit, which does not remember, is logged twice on every run.
        $afterFirst | Should -Be 2
        (Wait-AuditCount $probe.UserName 4624 ($afterFirst + 3)) - $afterFirst | Should -Be 3
    }

    It 'ReportsResponseTooBigAsAKdcErrorOverForcedUdp' {
        $r = Test-KdcHealth -Kdc $dc.Address -Credential $probe -Transport Udp
        $r.Status | Should -Be 'KdcError'
        $r.ErrorName | Should -Match 'RESPONSE_TOO_BIG'
    }

    It 'IsReachableWithoutAPrincipalButTheDcAuditsAFailedLogon' {
        $r = Test-KdcHealth -Kdc $dc.Address -Realm $realm -Level Reachable
        $r.Status | Should -Be 'Healthy'
        $r.Level | Should -Be 'Reachable'
        Wait-AuditCount "kdcha-probe@$realm" 4625 1 | Should -Be 1
        (Get-KdcHaLabSambaAuthEvent -Dc $dc -Account "kdcha-probe@$realm").Status | Should -Be 'NT_STATUS_NO_SUCH_USER'
    }

    It 'IsReachableWithAnExistingPrincipalAndTheDcAuditsNoLogon' {
        $account = New-ProbeUser 'kdcha-reach'
        $r = Test-KdcHealth -Kdc $dc.Address -Principal $account.UserName -Level Reachable
        $r.Status | Should -Be 'Healthy'
        $r.ErrorName | Should -Match 'PREAUTH_REQUIRED'
        Start-Sleep -Milliseconds 300
        @(Get-KdcHaLabSambaAuthEvent -Dc $dc -Account $account.UserName) | Should -BeNullOrEmpty
    }

    It 'ReportsKeyMismatchForAWrongPasswordAndTheDcAuditsAFailedLogon' {
        $account = New-ProbeUser 'kdcha-wrong'
        $wrong = [pscredential]::new($account.UserName, (ConvertTo-SecureString 'Wr0ng-password-1' -AsPlainText -Force))
        $r = Test-KdcHealth -Kdc $dc.Address -Credential $wrong
        $r.Status | Should -Be 'KeyMismatch'
        Wait-AuditCount $account.UserName 4625 1 | Should -Be 1
        (Get-KdcHaLabSambaAuthEvent -Dc $dc -Account $account.UserName).Status | Should -Be 'NT_STATUS_WRONG_PASSWORD'
    }

    It 'ReportsPrincipalUnknownForAnAccountTheDomainDoesNotHave' {
        $nobody = [pscredential]::new("nobody-here@$realm", (ConvertTo-SecureString 'N0body-password-1' -AsPlainText -Force))
        (Test-KdcHealth -Kdc $dc.Address -Credential $nobody).Status | Should -Be 'PrincipalUnknown'
    }
}

Describe 'Keytab probes against a Samba AD DC' -Tag Lab {
    BeforeAll {
        $null = New-ProbeUser 'kdcha-keytab'
        $script:userPrincipal = "kdcha-keytab@$realm"
        $script:userKeytab = Export-Keytab $userPrincipal 'user'
        # samba-tool computer add sets no password, so the account has no keys until one is set.
        $null = Invoke-KdcHaLabSambaTool -Dc $dc -ArgumentList 'computer', 'add', 'probehost'
        $null = Invoke-KdcHaLabSambaTool -Dc $dc -ArgumentList 'user', 'setpassword', 'probehost$', "--newpassword=M4chine-$([guid]::NewGuid().ToString('n'))"
        $script:machinePrincipal = "probehost`$@$realm"
        $script:machineKeytab = Export-Keytab $machinePrincipal 'machine'
    }

    It 'AuthenticatesA<Account>AccountFromItsExportedKeytabWith<Enctype>' -TestCases @(
        @{ Account = 'User'; Enctype = 'aes256-cts-hmac-sha1-96' }
        @{ Account = 'User'; Enctype = 'arcfour-hmac' }
        @{ Account = 'Machine'; Enctype = 'aes256-cts-hmac-sha1-96' }
        @{ Account = 'Machine'; Enctype = 'arcfour-hmac' }
    ) {
        $principal, $fullKeytab = if ($Account -eq 'User') { $userPrincipal, $userKeytab } else { $machinePrincipal, $machineKeytab }
        $keytab = Select-KeytabEnctype $fullKeytab $Enctype
        $r = Test-KdcHealth -Kdc $dc.Address -Keytab $keytab -Principal $principal -Transport Tcp
        $r.Status | Should -Be 'Healthy'
        $r.Level | Should -Be 'Authenticated'
        $r.EncryptionType | Should -Be $Enctype
    }
}

Describe 'A hung Samba AD DC' -Tag Lab {
    AfterEach { Resume-KdcHaLabSambaDc -Lab $lab -Dc $dc | Out-Null }

    It 'ReportsTimeoutWithinTheTimeoutPlusOneHundredMilliseconds' {
        $null = Suspend-KdcHaLabSambaDc -Lab $lab -Dc $dc
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $r = Test-KdcHealth -Kdc $dc.Address -Credential $probe -TimeoutMilliseconds 500
        $elapsed = $sw.Elapsed.TotalMilliseconds
        $r.Status | Should -Be 'Timeout'
        $elapsed | Should -BeLessThan 600
    }
}

Describe 'Lab teardown of a Samba AD DC' -Tag Lab {
    It 'RemovesTheDcProcessAndItsDirectoryWithTheLab' {
        $other = New-KdcHaLab -KdcCount 1 -ClientCount 0 -NoKdc
        try {
            $otherDc = Start-KdcHaLabSambaDc -Lab $other -Node kdc1
            $samba = Get-KdcHaLabProcess -Lab $other | Where-Object Key -EQ $otherDc.Key
            $samba.Alive | Should -BeTrue
        } finally {
            Remove-KdcHaLab -Lab $other
        }
        Test-Path $other.Directory | Should -BeFalse
        Test-Path "/proc/$($samba.Pid)" | Should -BeFalse
    }
}
