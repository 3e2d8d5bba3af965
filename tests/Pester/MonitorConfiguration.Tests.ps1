# Start-KdcHaMonitor -ConfigurationPath against hostile or broken files: every case must end in
# InvalidMonitorConfiguration, naming the file and the problem, within a second and without growing the process by
# 50 MB. No lab: the cases are refused before anything is probed (and -WhatIf would stop a run anyway); any KDC
# address in them is loopback.
BeforeAll {
    $script:workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-config-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $workDir | Out-Null
    $script:pwshArgv = @([Environment]::ProcessPath) + @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -match '^dotnet') { Join-Path $PSHOME 'pwsh.dll' })

    function New-Case([string] $Name, [string] $Content) {
        $path = Join-Path $workDir $Name
        [IO.File]::WriteAllText($path, $Content)
        $path
    }

    $keys = [Text.StringBuilder]::new('@{')
    foreach ($i in 0..40000) { $null = $keys.Append("k$i=1;") }
    $null = $keys.Append('}')
    $script:cases = [ordered]@{
        Huge               = New-Case 'huge.psd1' $keys.ToString()
        Endless            = '/dev/zero'
        DeeplyNested       = New-Case 'nested.json' ('{ "PeerKdc": ' + ('[' * 15000) + (']' * 15000) + ' }')
        DuplicateKeys      = New-Case 'duplicate.json' '{ "PeerKdc": "127.0.0.2", "Realm": "A", "realm": "B" }'
        OutOfRangeNumber   = New-Case 'range.json' '{ "PeerKdc": "127.0.0.2", "Realm": "KDCHA.TEST", "IntervalMilliseconds": 99999999999 }'
        HugeNumber         = New-Case 'huge-number.json' '{ "PeerKdc": "127.0.0.2", "Realm": "KDCHA.TEST", "IntervalMilliseconds": 1e300 }'
        WrongType          = New-Case 'type.json' '{ "PeerKdc": "127.0.0.2", "Realm": "KDCHA.TEST", "Fall": "two" }'
        ManyPeers          = New-Case 'peers.json' ('{ "Realm": "KDCHA.TEST", "PeerKdc": [' + ((0..15000 | ForEach-Object { '"127.0.0.2"' }) -join ',') + '] }')
        LongRealm          = New-Case 'realm.psd1' "@{ PeerKdc = '127.0.0.2'; Realm = '$('R' * 200000)' }"
        Empty              = New-Case 'empty.psd1' ''
        ArrayRooted        = New-Case 'array.psd1' "@('127.0.0.2')"
        ArrayRootedJson    = New-Case 'array.json' '["127.0.0.2"]'
        MalformedPsd1      = New-Case 'malformed.psd1' "@{ PeerKdc = '127.0.0.2'; Realm = "
        DuplicatePsd1      = New-Case 'duplicate.psd1' "@{ PeerKdc = '127.0.0.2'; Realm = 'A'; Realm = 'B' }"
        TwoStatementsPsd1  = New-Case 'two.psd1' "@{ PeerKdc = '127.0.0.2'; Realm = 'KDCHA.TEST' }; @{}"
    }
    $fifo = Join-Path $workDir 'fifo.json'
    & mkfifo $fifo
    $cases.Fifo = $fifo

    # One child pwsh for all cases; the kernel's peak-RSS mark is reset before each case (clear_refs 5), so each
    # measurement is that case's growth over what the process held before it.
    $script:runner = Join-Path $workDir 'runner.ps1'
    @'
param([string] $ModulePath, [string] $CasesJson)
Import-Module $ModulePath
$cases = $CasesJson | ConvertFrom-Json
function Get-Kb([string] $Field) { [long]((Get-Content /proc/self/status | Where-Object { $_ -like "${Field}:*" }) -replace '\D', '') }
function Invoke-Case([string] $Path) {
    try { Start-KdcHaMonitor -ConfigurationPath $Path -StateDirectory /tmp/kdcha-config-none -WhatIf -ErrorAction Stop; $null }
    catch { $_ }
}
$null = Invoke-Case $cases[0].Path
foreach ($case in $cases) {
    [GC]::Collect()
    [IO.File]::WriteAllText("/proc/self/clear_refs", "5")
    $before = Get-Kb VmRSS
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $failure = Invoke-Case $case.Path
    $watch.Stop()
    [pscustomobject]@{
        Name = $case.Name
        ErrorId = $failure.FullyQualifiedErrorId
        Category = "$($failure.CategoryInfo.Category)"
        Message = "$($failure.Exception.Message)"
        Milliseconds = $watch.Elapsed.TotalMilliseconds
        GrowthMB = ((Get-Kb VmHWM) - $before) / 1024
    } | ConvertTo-Json -Compress
}
'@ | Set-Content -LiteralPath $runner
    $casesJson = ConvertTo-Json -Compress @($cases.GetEnumerator() | ForEach-Object { @{ Name = $_.Key; Path = $_.Value } })
    $output = & $pwshArgv[0] @($pwshArgv | Select-Object -Skip 1) -NoProfile -NonInteractive -File $runner -ModulePath $env:KDCHA_MODULE_PATH -CasesJson $casesJson
    $script:results = @{}
    foreach ($line in $output) { $r = $line | ConvertFrom-Json; $results[$r.Name] = $r }
    $script:caseNames = @($cases.Keys | ForEach-Object { @{ Name = $_ } })
}

AfterAll {
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
}

Describe 'Start-KdcHaMonitor with a hostile configuration file' {
    It 'RefusesTheFileAsInvalidMonitorConfigurationNamingIt (<Name>)' -ForEach @(
        'Huge', 'Endless', 'DeeplyNested', 'DuplicateKeys', 'OutOfRangeNumber', 'HugeNumber', 'WrongType', 'ManyPeers', 'LongRealm',
        'Empty', 'ArrayRooted', 'ArrayRootedJson', 'MalformedPsd1', 'DuplicatePsd1', 'TwoStatementsPsd1', 'Fifo' | ForEach-Object { @{ Name = $_ } }) {
        $result = $results[$Name]
        $result | Should -Not -BeNullOrEmpty -Because "the child reported $Name"
        $result.ErrorId | Should -Be 'InvalidMonitorConfiguration,KdcHa.Commands.StartKdcHaMonitorCommand' -Because $result.Message
        $result.Category | Should -Be 'InvalidArgument'
        $result.Message | Should -BeLike "*$($cases[$Name])*"
        $result.Milliseconds | Should -BeLessThan 1000
        $result.GrowthMB | Should -BeLessThan 50
    }

    It 'NamesTheKeyAndTheAllowedRange' {
        $results.OutOfRangeNumber.Message | Should -BeLike '*IntervalMilliseconds (99999999999) must be between 20 and 60000*'
        $results.HugeNumber.Message | Should -BeLike '*IntervalMilliseconds (1E+300) must be between 20 and 60000*'
        $results.DuplicateKeys.Message | Should -BeLike '*realm appears more than once*'
        $results.ManyPeers.Message | Should -BeLike '*PeerKdc may hold at most 64 entries*'
        $results.LongRealm.Message | Should -BeLike '*Realm must be at most 1024 characters long*'
        $results.Endless.Message | Should -BeLike '*not a regular file*'
        $results.Huge.Message | Should -BeLike '*holds at most*'
    }

    It 'RunsNoCodeFromAPsd1' {
        $marker = Join-Path $workDir 'ran'
        $path = New-Case 'code.psd1' "@{ PeerKdc = '127.0.0.2'; Realm = `$(New-Item -ItemType File -Path '$marker'; 'KDCHA.TEST') }"
        Import-Module $env:KDCHA_MODULE_PATH -Force
        { Start-KdcHaMonitor -ConfigurationPath $path -StateDirectory /tmp/kdcha-config-none -WhatIf } |
            Should -Throw -ErrorId 'InvalidMonitorConfiguration,KdcHa.Commands.StartKdcHaMonitorCommand'
        Test-Path -LiteralPath $marker | Should -BeFalse
    }

    It 'StillReadsAValidPsd1' {
        $path = New-Case 'valid.psd1' "@{ PeerKdc = '127.0.0.2'; Realm = 'KDCHA.TEST'; Fall = 3 }"
        Import-Module $env:KDCHA_MODULE_PATH -Force
        { Start-KdcHaMonitor -ConfigurationPath $path -StateDirectory /tmp/kdcha-config-none -WhatIf } | Should -Not -Throw
    }
}
