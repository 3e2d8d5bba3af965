# Test-KdcHealth behaviour that needs no KDC: argument errors, keytab errors, and the classification of a closed
# port and of a listener that never answers (real sockets on loopback, opened and closed by the tests).
BeforeAll {
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-errors-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $workDir | Out-Null

    function New-Keytab([string] $Path, [string] $Principal, [string] $Password = 'password') {
        "addent -password -p $Principal -k 1 -e aes256-cts-hmac-sha1-96`n$Password`nwkt $Path`nquit`n" | ktutil | Out-Null
        if (-not (Test-Path -LiteralPath $Path)) {
            throw "ktutil did not write $Path"
        }
    }

    function Get-FreeUdpPort {
        $socket = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        try { $socket.Client.LocalEndPoint.Port } finally { $socket.Dispose() }
    }
}

AfterAll {
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
}

Describe 'Test-KdcHealth argument errors' {
    It 'reports a malformed -Kdc as InvalidKdcAddress and still probes the others' {
        $port = Get-FreeUdpPort
        $results = Test-KdcHealth -Kdc 'bad host name:99999', "127.0.0.1:$port" -Realm KDCHA.TEST -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'InvalidKdcAddress,KdcHa.Commands.TestKdcHealthCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].TargetObject | Should -Be 'bad host name:99999'
        @($results).Count | Should -Be 1
        $results.Kdc | Should -Be "127.0.0.1:$port"
    }

    It 'needs a realm when no principal carries one' {
        { Test-KdcHealth -Kdc 127.0.0.1 -ErrorAction Stop } | Should -Throw -ErrorId 'RealmRequired,KdcHa.Commands.TestKdcHealthCommand'
    }

    It 'refuses -Level Authenticated without a key source' {
        { Test-KdcHealth -Kdc 127.0.0.1 -Realm KDCHA.TEST -Level Authenticated } | Should -Throw -ErrorId 'KeySourceRequired,KdcHa.Commands.TestKdcHealthCommand'
    }

    It 'rejects a timeout outside 50..60000 ms at binding' {
        { Test-KdcHealth -Kdc 127.0.0.1 -Realm KDCHA.TEST -TimeoutMilliseconds 10 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,KdcHa.Commands.TestKdcHealthCommand'
    }
}

Describe 'Test-KdcHealth keytab errors' -Skip:(-not (Get-Command ktutil -CommandType Application -ErrorAction Ignore)) {
    It 'reports a missing keytab as KeytabNotFound' {
        { Test-KdcHealth -Kdc 127.0.0.1 -Keytab (Join-Path $workDir 'absent.keytab') } | Should -Throw -ErrorId 'KeytabNotFound,KdcHa.Commands.TestKdcHealthCommand'
    }

    It 'reports a file that is not a keytab as KeytabInvalid' {
        $garbage = Join-Path $workDir 'garbage.keytab'
        [IO.File]::WriteAllBytes($garbage, [byte[]](0x05, 0x02, 0x7f, 0xff, 0xff, 0xff, 0x00))
        { Test-KdcHealth -Kdc 127.0.0.1 -Keytab $garbage } | Should -Throw -ErrorId 'KeytabInvalid,KdcHa.Commands.TestKdcHealthCommand'
    }

    It 'reports a principal that the keytab does not hold as PrincipalNotInKeytab' {
        $keytab = Join-Path $workDir 'bob.keytab'
        New-Keytab -Path $keytab -Principal 'bob@KDCHA.TEST'
        chmod 600 $keytab
        { Test-KdcHealth -Kdc 127.0.0.1 -Keytab $keytab -Principal 'carol@KDCHA.TEST' } | Should -Throw -ErrorId 'PrincipalNotInKeytab,KdcHa.Commands.TestKdcHealthCommand'
    }

    It 'warns about a world-readable keytab, and not about a private one' {
        $port = Get-FreeUdpPort
        $keytab = Join-Path $workDir 'open.keytab'
        New-Keytab -Path $keytab -Principal 'bob@KDCHA.TEST'
        chmod 644 $keytab
        $null = Test-KdcHealth -Kdc "127.0.0.1:$port" -Keytab $keytab -WarningVariable loose -WarningAction SilentlyContinue
        $loose | Should -Match 'readable by every user'
        chmod 600 $keytab
        $null = Test-KdcHealth -Kdc "127.0.0.1:$port" -Keytab $keytab -WarningVariable tight -WarningAction SilentlyContinue
        $tight | Should -BeNullOrEmpty
    }
}

Describe 'Test-KdcHealth classification without a KDC' {
    It 'classifies a closed UDP port as Refused, fast' {
        $port = Get-FreeUdpPort
        $result = Test-KdcHealth -Kdc "127.0.0.1:$port" -Realm KDCHA.TEST -Transport Udp
        $result.Status | Should -Be 'Refused'
        $result.IsHealthy | Should -BeFalse
        $result.RoundTripMilliseconds | Should -BeLessThan 100
    }

    It 'classifies a listener that never answers as Timeout, within the deadline' {
        $silent = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        try {
            $port = $silent.Client.LocalEndPoint.Port
            $result = Test-KdcHealth -Kdc "127.0.0.1:$port" -Realm KDCHA.TEST -TimeoutMilliseconds 300
            $result.Status | Should -Be 'Timeout'
            $result.RoundTripMilliseconds | Should -BeGreaterOrEqual 290
            $result.RoundTripMilliseconds | Should -BeLessThan 400
        }
        finally {
            $silent.Dispose()
        }
    }

    It 'answers -Quiet with a single $false when a KDC is down, for use in if and exit codes' {
        $port = Get-FreeUdpPort
        $answer = Test-KdcHealth -Kdc "127.0.0.1:$port" -Realm KDCHA.TEST -Quiet
        $answer | Should -BeOfType [bool]
        $answer | Should -BeFalse
        & dotnet pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:KDCHA_MODULE_PATH'; `$ok = Test-KdcHealth -Kdc 127.0.0.1:$port -Realm KDCHA.TEST -Quiet; exit [int](-not `$ok)"
        $LASTEXITCODE | Should -Be 1
    }

    It 'takes KDC addresses from the pipeline by value and by property name' {
        $ports = 1..2 | ForEach-Object { Get-FreeUdpPort }
        $byValue = $ports | ForEach-Object { "127.0.0.1:$_" } | Test-KdcHealth -Realm KDCHA.TEST
        @($byValue.Kdc | Sort-Object) | Should -Be @($ports | ForEach-Object { "127.0.0.1:$_" } | Sort-Object)
        $byProperty = $ports | ForEach-Object { [pscustomobject]@{ Kdc = "127.0.0.1:$_"; Realm = 'OTHER.TEST' } } | Test-KdcHealth
        @($byProperty.Realm | Select-Object -Unique) | Should -Be 'OTHER.TEST'
        @($byProperty).Count | Should -Be 2
    }

    It 'serialises to JSON with names, not numbers' {
        $port = Get-FreeUdpPort
        $json = Test-KdcHealth -Kdc "127.0.0.1:$port" -Realm KDCHA.TEST | ConvertTo-Json -Compress | ConvertFrom-Json
        $json.Status | Should -Be 'Refused'
        $json.Transport | Should -Be 'Udp'
    }
}
