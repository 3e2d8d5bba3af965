# The DSC v3 resource KdcHa/Node as dsc sees it, without dsc (not installable here): the laid-out manifest against
# the published manifest schema (Fixtures/Dsc, source in its README), then the script run exactly as dsc runs it:
# the manifest's executable and argument list, the module folder as working directory, the instance as compressed
# JSON on stdin, results on stdout, JSON trace lines on stderr, a declared exit code. Every file goes to a temp
# folder, every address in it is 127.x; the systemd part is checked for its refusal where systemd is not PID 1.
BeforeAll {
    $moduleBase = Split-Path -Parent (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH)
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $manifestText = Get-Content -Raw -LiteralPath (Join-Path $moduleBase 'KdcHa.dsc.resource.json')
    $manifest = $manifestText | ConvertFrom-Json -AsHashtable
    $publishedSchema = Get-Content -Raw -LiteralPath "$PSScriptRoot/Fixtures/Dsc/manifest.schema.json"
    $systemdRuns = (Get-Content -LiteralPath /proc/1/comm -ErrorAction Ignore) -eq 'systemd'

    # The instance schema with DSC's canonical _inDesiredState resolved from the bundled schema (dsc ships it too;
    # Test-Json would try to fetch the aka.ms address).
    $instanceSchema = $manifest.schema.embedded.Clone()
    $instanceSchema.properties = $instanceSchema.properties.Clone()
    $canonical = ($publishedSchema | ConvertFrom-Json -AsHashtable).'$defs'.'https://raw.githubusercontent.com/PowerShell/DSC/main/schemas/v3/resource/properties/inDesiredState.json'
    $instanceSchema.properties._inDesiredState = @{ type = $canonical.type; readOnly = $true }
    $instanceSchemaText = $instanceSchema | ConvertTo-Json -Depth 32

    $workRoot = Join-Path ([IO.Path]::GetTempPath()) "kdcha-dsc-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $workRoot | Out-Null

    # Runs one manifest operation as dsc does. dsc resolves "pwsh" on PATH; here pwsh may run as `dotnet pwsh.dll`.
    function Invoke-DscOperation([string] $Operation, $Instance) {
        $method = $manifest[$Operation]
        $start = [System.Diagnostics.ProcessStartInfo]::new()
        $pwsh = Get-Command $method.executable -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if ($pwsh) {
            $start.FileName = $pwsh.Source
        }
        else {
            $method.executable | Should -Be 'pwsh'
            $start.FileName = [Environment]::ProcessPath
            if ((Split-Path -Leaf $start.FileName) -match '^dotnet') { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        }
        foreach ($argument in $method.args) { $start.ArgumentList.Add($argument) }
        $start.WorkingDirectory = $moduleBase
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if ($null -ne $Instance) {
            $method.input | Should -Be 'stdin'
            $process.StandardInput.Write(($Instance | ConvertTo-Json -Compress -Depth 10))
        }
        $process.StandardInput.Close()
        if (-not $process.WaitForExit(120000)) { $process.Kill(); throw "$Operation did not finish within 120 s." }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Lines    = @($stdout.Result -split "`n" | Where-Object { $_ })
            Traces   = @($stderr.Result -split "`n" | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json -AsHashtable })
            StdErr   = $stderr.Result
        }
    }

    function New-Instance([string] $Directory, [switch] $WithService) {
        New-Item -ItemType Directory -Path $Directory -Force | Out-Null
        $instance = [ordered]@{
            name                        = 'kdc1'
            keepalivedConfigurationPath = Join-Path $Directory 'keepalived.conf'
            keepalived                  = [ordered]@{ interface = 'lo'; virtualAddress = @('127.0.0.200/32'); priority = 150; stateDirectory = Join-Path $Directory 'run' }
            monitorConfigurationPath    = Join-Path $Directory 'kdcha/kdc1.psd1'
            monitor                     = [ordered]@{ node = 'kdc1'; localKdc = '127.0.0.1'; peerKdc = @('127.0.0.2', '127.0.0.3:750'); realm = 'KDCHA.TEST'; intervalMilliseconds = 250 }
        }
        if ($WithService) { $instance.monitorServiceEnabled = $true }
        $instance
    }

    function Get-Tree([string] $Directory) {
        @(Get-ChildItem -LiteralPath $Directory -Recurse -Force -File -ErrorAction Ignore | ForEach-Object { "$($_.FullName) $($_.Length) $($_.LastWriteTimeUtc.Ticks)" })
    }
}

AfterAll {
    Remove-Item -LiteralPath $workRoot -Recurse -Force -ErrorAction Ignore
}

Describe 'KdcHa.dsc.resource.json' {
    It 'ValidatesAgainstThePublishedDscV3ManifestSchema' {
        Test-Json -Json $manifestText -Schema $publishedSchema | Should -BeTrue
    }

    It 'WouldFailThatSchemaWithABadTypeName' {
        # The validation has teeth: the same manifest with a type dsc would refuse.
        $bad = $manifestText | ConvertFrom-Json -AsHashtable
        $bad.type = 'KdcHa Node'
        Test-Json -Json ($bad | ConvertTo-Json -Depth 32) -Schema $publishedSchema -ErrorAction SilentlyContinue | Should -BeFalse
    }

    It 'DeclaresEveryOperationAsPwshRunningTheShippedScriptWithInputOnStdin' {
        foreach ($operation in 'get', 'set', 'whatIf', 'test', 'export') {
            $manifest[$operation].executable | Should -Be 'pwsh'
            $manifest[$operation].args | Should -Contain '-NonInteractive'
            $manifest[$operation].args | Should -Contain './KdcHa.dsc.ps1'
            $manifest[$operation].args[-1] | Should -Be $operation
            $manifest[$operation].input | Should -Be 'stdin'
        }
        $manifest.set.implementsPretest | Should -BeTrue
        $manifest.exitCodes.Keys | Should -Be @('0', '1', '2', '3', '4')
    }

    It 'SchemaNamesEveryKeepalivedParameterAndEveryMonitorSetting' {
        $camel = { param($name) $name.Substring(0, 1).ToLowerInvariant() + $name.Substring(1) }
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters + 'Path', 'PassThru'
        $parameters = (Get-Command New-KdcHaKeepalivedConfig).Parameters.Keys | Where-Object { $_ -notin $common } | ForEach-Object { & $camel $_ }
        @($manifest.schema.embedded.properties.keepalived.properties.Keys | Sort-Object) | Should -Be @($parameters | Sort-Object)
        $settings = [KdcHa.Configuration.MonitorConfiguration]::Settings.Name | ForEach-Object { & $camel $_ }
        @($manifest.schema.embedded.properties.monitor.properties.Keys | Sort-Object) | Should -Be @($settings | Sort-Object)
    }
}

Describe 'KdcHa/Node run as dsc runs it' {
    BeforeAll {
        $directory = Join-Path $workRoot 'node'
        $instance = New-Instance $directory
    }

    It 'GetReportsAnUnconfiguredNode' {
        $r = Invoke-DscOperation get $instance
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.Lines.Count | Should -Be 1
        Test-Json -Json $r.Lines[0] -Schema $instanceSchemaText | Should -BeTrue
        $state = $r.Lines[0] | ConvertFrom-Json
        $state.name | Should -Be 'kdc1'
        $state.keepalived | Should -BeNullOrEmpty
        $state.monitor | Should -BeNullOrEmpty
        if (-not $systemdRuns) {
            $state.monitorServiceEnabled | Should -BeNullOrEmpty
            $r.Traces.warn | Should -Match 'systemd is not running'
        }
    }

    It 'TestSaysNotInDesiredStateAndNamesTheFiles' {
        $r = Invoke-DscOperation test $instance
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.Lines.Count | Should -Be 2
        Test-Json -Json $r.Lines[0] -Schema $instanceSchemaText | Should -BeTrue
        ($r.Lines[0] | ConvertFrom-Json)._inDesiredState | Should -BeFalse
        ($r.Lines[1] | ConvertFrom-Json) | Should -Be @('keepalived', 'monitor')
    }

    It 'WhatIfWritesNothingAndSaysWhatSetWouldDo' {
        $before = Get-Tree $directory
        $r = Invoke-DscOperation whatIf $instance
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        Get-Tree $directory | Should -Be $before
        $projected = $r.Lines[0] | ConvertFrom-Json
        $projected._metadata.whatIf.Count | Should -Be 2
        $projected._metadata.whatIf[0] | Should -BeLike "Would write $($instance.keepalivedConfigurationPath)*"
        $projected.monitor.peerKdc | Should -Be @('127.0.0.2', '127.0.0.3:750')
        ($r.Lines[1] | ConvertFrom-Json) | Should -Be @('keepalived', 'monitor')
    }

    It 'SetWritesTheFilesTheCmdletsRead' {
        $r = Invoke-DscOperation set $instance
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        ($r.Lines[1] | ConvertFrom-Json) | Should -Be @('keepalived', 'monitor')
        $r.Traces.info | Should -Contain "set: write $($instance.keepalivedConfigurationPath) (it does not exist)."
        Test-Json -Json $r.Lines[0] -Schema $instanceSchemaText | Should -BeTrue
        $parameters = @{ Interface = 'lo'; VirtualAddress = '127.0.0.200/32'; Priority = 150; StateDirectory = $instance.keepalived.stateDirectory }
        (Get-Content -Raw -LiteralPath $instance.keepalivedConfigurationPath).TrimEnd("`n") | Should -BeExactly (New-KdcHaKeepalivedConfig @parameters).TrimEnd("`n")
        $configuration = [KdcHa.Configuration.MonitorConfiguration]::new()
        $configuration.ApplyFile((Import-PowerShellDataFile -LiteralPath $instance.monitorConfigurationPath), [string[]] @())
        $configuration.Validate()
        $configuration.PeerKdc | Should -Be @('127.0.0.2', '127.0.0.3:750')
        $configuration.IntervalMilliseconds | Should -Be 250
    }

    It 'SetAgainChangesNothingAndSaysSo' {
        $before = Get-Tree $directory
        $r = Invoke-DscOperation set $instance
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        ($r.Lines[1] | ConvertFrom-Json) | Should -BeNullOrEmpty
        $r.Lines[1] | Should -Be '[]'
        $r.Traces.info | Should -Contain 'kdc1 is in the desired state; nothing changed.'
        Get-Tree $directory | Should -Be $before
    }

    It 'SetWithSettingNamesInAnotherCaseChangesNothing' {
        $before = Get-Tree $directory
        $spelled = [ordered]@{} + $instance
        $spelled.monitor = [ordered]@{}
        foreach ($key in $instance.monitor.Keys) { $spelled.monitor[$key.Substring(0, 1).ToUpperInvariant() + $key.Substring(1)] = $instance.monitor[$key] }
        $r = Invoke-DscOperation set $spelled
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.Lines[1] | Should -Be '[]'
        Get-Tree $directory | Should -Be $before
    }

    It 'TestThenSaysInDesiredState' {
        $r = Invoke-DscOperation test $instance
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        ($r.Lines[0] | ConvertFrom-Json)._inDesiredState | Should -BeTrue
        $r.Lines[1] | Should -Be '[]'
        $state = $r.Lines[0] | ConvertFrom-Json
        $state.keepalived.priority | Should -Be 150
        $state.monitor.realm | Should -Be 'KDCHA.TEST'
    }

    It 'SetRewritesAFileThatDrifted' {
        Add-Content -LiteralPath $instance.keepalivedConfigurationPath -Value '# edited by hand'
        $r = Invoke-DscOperation set $instance
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        ($r.Lines[1] | ConvertFrom-Json) | Should -Be @('keepalived')
        Get-Content -Raw -LiteralPath $instance.keepalivedConfigurationPath | Should -Not -Match 'edited by hand'
    }

    It 'ExportListsTheMonitorConfigurationsOfTheFolder' {
        $r = Invoke-DscOperation export @{ name = 'kdc1'; monitorConfigurationPath = $instance.monitorConfigurationPath }
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.Lines.Count | Should -Be 1
        $exported = $r.Lines[0] | ConvertFrom-Json
        $exported.name | Should -Be 'kdc1'
        $exported.monitor.localKdc | Should -Be '127.0.0.1'
        Test-Json -Json $r.Lines[0] -Schema $instanceSchemaText | Should -BeTrue
    }

    It 'NeverEchoesTheVrrpPassword' {
        $secret = [ordered]@{} + $instance
        $secret.keepalived = [ordered]@{} + $instance.keepalived
        $secret.keepalived.authenticationPassword = 'Pw4Vrrp'
        $secret.keepalived.vrrpVersion = 2
        $secret.keepalived.advertIntervalSeconds = 1
        $r = Invoke-DscOperation whatIf $secret
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        ($r.Lines -join "`n") + $r.StdErr | Should -Not -Match 'Pw4Vrrp'
        ($r.Lines[0] | ConvertFrom-Json).keepalived.authenticationPassword | Should -Be '********'
    }

    It 'WritesOnlyJsonTraceLinesOnStderr' {
        $r = Invoke-DscOperation get $instance
        foreach ($trace in $r.Traces) {
            $trace.Keys.Count | Should -Be 1
            @($trace.Keys)[0] | Should -BeIn 'error', 'warn', 'info', 'debug'
        }
    }
}

Describe 'KdcHa/Node refusals' {
    It 'RejectsAnUnknownPropertyWithExitCode2' {
        $r = Invoke-DscOperation get @{ name = 'kdc1'; vip = '127.0.0.9' }
        $r.ExitCode | Should -Be 2
        $manifest.exitCodes['2'] | Should -Match 'Invalid input'
        $r.Traces.error | Should -Match "'vip' is not a KdcHa/Node property"
    }

    It 'RejectsAMonitorConfigurationStartKdcHaMonitorWouldRefuseAndWritesNothing' {
        $directory = Join-Path $workRoot 'invalid'
        $instance = New-Instance $directory
        $instance.monitor.peerKdc = @()
        $r = Invoke-DscOperation set $instance
        $r.ExitCode | Should -Be 2
        $r.Traces.error | Should -Match 'PeerKdc'
        Get-Tree $directory | Should -BeNullOrEmpty
    }

    It 'RefusesToSetServiceEnablementWithoutSystemdAndWritesNothing' -Skip:$systemdRuns {
        $directory = Join-Path $workRoot 'nosystemd'
        $r = Invoke-DscOperation set (New-Instance $directory -WithService)
        $r.ExitCode | Should -Be 4
        $manifest.exitCodes['4'] | Should -Match 'systemd'
        $r.Traces.error | Should -Match 'kdcha-monitor@kdc1.service.*systemd is not running'
        Get-Tree $directory | Should -BeNullOrEmpty
    }
}
