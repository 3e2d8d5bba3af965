BeforeDiscovery {
    if (-not $env:KDCHA_MODULE_PATH) {
        throw 'KDCHA_MODULE_PATH is not set: run these tests through ./build.ps1 Test, which builds the module and points here.'
    }
    $manifest = Import-PowerShellDataFile -LiteralPath $env:KDCHA_MODULE_PATH
    $exportedCmdlets = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    $manifestPath = $env:KDCHA_MODULE_PATH
    $manifest = Import-PowerShellDataFile -LiteralPath $manifestPath
    $module = Import-Module $manifestPath -Force -PassThru
    [xml] $formats = Get-Content -LiteralPath (Join-Path $module.ModuleBase 'KdcHa.format.ps1xml') -Raw
    $viewTypes = @($formats.Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName)
}

Describe 'KdcHa manifest' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the cmdlets it lists, with no wildcards' {
        $manifest.CmdletsToExport | Should -Not -Match '\*'
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
        $module.ExportedFunctions.Count | Should -Be 0
    }

    It 'claims only the PowerShell editions the tests run on' {
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        [version] $manifest.PowerShellVersion | Should -BeLessOrEqual $PSVersionTable.PSVersion
    }

    It 'ships the version from the manifest in the assembly' {
        $assembly = [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $module.ModuleBase 'KdcHa.dll'))
        $assembly.Version.ToString(3) | Should -Be $manifest.ModuleVersion
    }

    It 'does not ship System.Management.Automation' {
        Join-Path $module.ModuleBase 'System.Management.Automation.dll' | Should -Not -Exist
    }

    It 'imports in a fresh non-interactive pwsh without errors or warnings' {
        $output = & dotnet pwsh -NoProfile -NonInteractive -Command "Import-Module '$manifestPath' -ErrorAction Stop -WarningAction Stop; (Get-Module KdcHa).Name" 2>&1
        $LASTEXITCODE | Should -Be 0
        $output | Should -Be 'KdcHa'
    }
}

Describe 'Cmdlet <Name> follows the module conventions' -ForEach $exportedCmdlets {
    BeforeAll {
        $command = Get-Command -Name $Name -Module KdcHa
    }

    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain $command.Verb
    }

    It 'declares its output types, each with a default view when it is a KdcHa type' {
        $command.OutputType.Count | Should -BeGreaterThan 0
        foreach ($type in $command.OutputType.Type | Where-Object Namespace -Like 'KdcHa*') {
            $viewTypes | Should -Contain $type.FullName
        }
    }

    It 'AsksShouldProcessUnlessItOnlyReads' {
        # Every other cmdlet writes a file, moves an address, drives keepalived or sends a message.
        $readOnly = 'Get-VrrpState', 'Get-KdcHaMonitor', 'Get-KdcHaStatus', 'Test-KdcHealth'
        if ($Name -notin $readOnly) {
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.Parameters.Keys | Should -Contain 'Confirm'
        }
    }
}

# One spelling per unit: a time value in a parameter name spells its unit in full (Milliseconds, Seconds, Minutes,
# as Start-Sleep and TimeSpan do) and a configuration file is a -ConfigurationPath, in every cmdlet. Renamed
# parameters keep their old name as an alias, so scripts written against the old name still bind.
Describe 'Parameter names across the KdcHa cmdlets' {
    BeforeDiscovery {
        $renamed = @(
            @{ Command = 'Move-KdcVip'; Name = 'ConfigurationPath'; OldName = 'ConfigPath' }
            @{ Command = 'Send-KdcHaNotification'; Name = 'TimeoutSeconds'; OldName = 'TimeoutSec' }
            @{ Command = 'Test-KdcHaNotificationChannel'; Name = 'TimeoutSeconds'; OldName = 'TimeoutSec' }
        )
    }

    BeforeAll {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $parameters = @(foreach ($command in Get-Command -Module KdcHa -CommandType Cmdlet) {
                foreach ($parameter in $command.Parameters.Values | Where-Object Name -NotIn $common) {
                    [pscustomobject]@{ Command = $command.Name; Name = $parameter.Name; Aliases = $parameter.Aliases; Type = $parameter.ParameterType }
                }
            })
        $numeric = [int], [long], [double], [decimal]
    }

    It 'SpellsEveryTimeUnitInFull' {
        $abbreviated = $parameters | Where-Object Name -CMatch '(Sec|Secs|Ms|Msec|Msecs|Millis|Second|Millisecond|Min|Mins|Minute)$'
        @($abbreviated | ForEach-Object { "$($_.Command) -$($_.Name)" }) | Should -BeNullOrEmpty
    }

    It 'NamesTheUnitOfEveryNumericTimeParameter' {
        $unitless = $parameters | Where-Object {
            $_.Type -in $numeric -and $_.Name -match 'Timeout|Interval|Delay|Duration|Grace|Stale|Listen|Wait' -and
            $_.Name -cnotmatch '(Milliseconds|Seconds|Minutes)$'
        }
        @($unitless | ForEach-Object { "$($_.Command) -$($_.Name)" }) | Should -BeNullOrEmpty
    }

    It 'NamesEveryConfigurationFileParameterConfigurationPath' {
        $misnamed = $parameters | Where-Object { $_.Name -match 'Conf(ig)?|Cfg' -and $_.Name -cnotmatch 'ConfigurationPath$' }
        @($misnamed | ForEach-Object { "$($_.Command) -$($_.Name)" }) | Should -BeNullOrEmpty
    }

    It 'AcceptsTimeoutSecWhereverATimeoutIsInSeconds' {
        $withoutAlias = $parameters | Where-Object { $_.Name -eq 'TimeoutSeconds' -and $_.Aliases -notcontains 'TimeoutSec' }
        @($withoutAlias | ForEach-Object { "$($_.Command) -$($_.Name)" }) | Should -BeNullOrEmpty
    }

    It 'ResolvesEveryAliasToItsOwnParameter' {
        foreach ($parameter in $parameters) {
            foreach ($alias in $parameter.Aliases) {
                (Get-Command $parameter.Command).ResolveParameter($alias).Name | Should -Be $parameter.Name -Because "$($parameter.Command) -$alias"
            }
        }
    }

    It 'StillBinds <Command> -<OldName> as -<Name>' -ForEach $renamed {
        $parameter = (Get-Command $Command).Parameters[$Name]
        $parameter.Aliases | Should -Contain $OldName
        $ast = [System.Management.Automation.Language.Parser]::ParseInput("$Command -$OldName 1", [ref] $null, [ref] $null)
        $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($ast.EndBlock.Statements[0].PipelineElements[0])
        $binding.BoundParameters.Keys | Should -Contain $Name
    }
}

# The same rule for what the cmdlets write: every public property of an [OutputType], and of the KdcHa types those
# properties hold (the monitor status's KDCs, ...). A renamed property keeps its old name as an alias in
# KdcHa.types.ps1xml, which this reflection does not see.
Describe 'Output property names across the KdcHa cmdlets' {
    BeforeAll {
        $seen = [Collections.Generic.HashSet[type]]::new()
        $pending = [Collections.Generic.Queue[type]]::new()
        foreach ($type in Get-Command -Module KdcHa -CommandType Cmdlet | ForEach-Object { $_.OutputType.Type } | Where-Object { $_ }) { $pending.Enqueue($type) }
        $properties = while ($pending.Count -gt 0) {
            $type = $pending.Dequeue()
            if ($type.Namespace -notlike 'KdcHa*' -or -not $seen.Add($type)) { continue }
            # An abstract output type (MonitorEvent) stands for the events derived from it.
            foreach ($derived in $type.Assembly.GetExportedTypes() | Where-Object { $_.IsSubclassOf($type) }) { $pending.Enqueue($derived) }
            foreach ($property in $type.GetProperties()) {
                [pscustomobject]@{ Type = $type.Name; Name = $property.Name }
                foreach ($held in @($property.PropertyType) + $property.PropertyType.GenericTypeArguments + @($property.PropertyType.GetElementType())) {
                    if ($held) { $pending.Enqueue($held) }
                }
            }
        }
    }

    It 'ReadsTheOutputTypes' {
        @($properties | Where-Object Type -EQ 'KdcHealthResult').Count | Should -BeGreaterThan 0
        @($properties | Where-Object Type -EQ 'KdcStatus').Count | Should -BeGreaterThan 0 -Because 'types held by an output type are output too'
        @($properties | Where-Object Type -EQ 'HealthChangedEvent').Count | Should -BeGreaterThan 0 -Because 'events derived from MonitorEvent are output too'
    }

    It 'SpellsEveryTimeUnitInFull' {
        $abbreviated = $properties | Where-Object Name -CMatch '(Sec|Secs|Ms|Msec|Msecs|Millis|Second|Millisecond|Min|Mins|Minute)$'
        @($abbreviated | ForEach-Object { "$($_.Type).$($_.Name)" }) | Should -BeNullOrEmpty
    }

    It 'StillReadsNotificationChannelTestResult.RoundTripMs' {
        $result = [KdcHa.Notification.NotificationChannelTestResult]@{ RoundTripMilliseconds = 42 }
        $result.RoundTripMs | Should -Be 42
    }
}

# One ErrorId catalogue (KdcHa.KdcHaErrors): every id a cmdlet writes is one of its entries, with the entry's
# category, and each engine exception type becomes one id whichever cmdlet meets it.
Describe 'The ErrorId catalogue' {
    BeforeDiscovery {
        $failures = @(
            @{ Id = 'InvalidKdcAddress'; Run = { Test-KdcHealth -Kdc 'bad host:99999' -Realm KDCHA.TEST -ErrorAction Stop } }
            @{ Id = 'KeySourceRequired'; Run = { Test-KdcHealth -Kdc 127.0.0.1 -Realm KDCHA.TEST -Level Authenticated } }
            @{ Id = 'KeytabNotFound'; Run = { Test-KdcHealth -Kdc 127.0.0.1 -Keytab (Join-Path $TestDrive 'absent.keytab') } }
            @{ Id = 'MonitorStatusNotFound'; Run = { Get-KdcHaMonitor -Path (Join-Path $TestDrive 'absent.json') -ErrorAction Stop } }
            @{ Id = 'MonitorConfigurationNotFound'; Run = { Start-KdcHaMonitor -ConfigurationPath (Join-Path $TestDrive 'absent.psd1') -Confirm:$false } }
            @{ Id = 'KeepalivedNotRunning'; Run = { Get-VrrpState -PidFile (Join-Path $TestDrive 'absent.pid') } }
            @{ Id = 'NotificationConfigurationNotFound'; Run = { Send-KdcHaNotification -Message m -ConfigurationPath (Join-Path $TestDrive 'absent.json') -WhatIf } }
        )
    }

    BeforeAll {
        $catalogue = @{}
        foreach ($field in [KdcHa.KdcHaErrors].GetFields([System.Reflection.BindingFlags] 'Public, Static') | Where-Object FieldType -EQ ([KdcHa.KdcHaError])) {
            $catalogue[$field.Name] = $field.GetValue($null)
        }
        # Ids PowerShell itself writes when binding fails; the tests assert some of them.
        $powershellIds = 'ParameterArgumentValidationError', 'ParameterArgumentTransformationError', 'ParameterBindingFailed', 'MissingMandatoryParameter', 'AmbiguousParameterSet'
        $repository = Resolve-Path (Join-Path $PSScriptRoot '../..')
    }

    It 'NamesEveryEntryByItsId' {
        foreach ($name in $catalogue.Keys) {
            $catalogue[$name].Id | Should -BeExactly $name
        }
    }

    It 'MapsEachEngineExceptionTypeToOneCatalogueEntry' {
        # Reading the table runs its initializer, which throws when one exception type is listed twice.
        $byException = [KdcHa.KdcHaErrors]::ByEngineException
        $byException.Count | Should -BeGreaterThan 0
        foreach ($type in $byException.Keys) {
            $type.IsSubclassOf([KdcHa.Common.KdcHaException]) | Should -BeTrue -Because $type.FullName
            $catalogue.Values | Should -Contain $byException[$type] -Because $type.FullName
        }
    }

    It 'IsTheOnlyPlaceThatChoosesAnErrorCategory' {
        $cmdletSources = Get-ChildItem -LiteralPath (Join-Path $repository 'src/KdcHa') -Recurse -Filter *.cs |
            Where-Object { $_.Name -ne 'KdcHaErrors.cs' -and $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
        $ownErrors = $cmdletSources | Select-String -Pattern 'ErrorCategory\.|new ErrorRecord\(|ErrorRecord\(\w+, *"'
        @($ownErrors | ForEach-Object { "$($_.Path):$($_.LineNumber): $($_.Line.Trim())" }) | Should -BeNullOrEmpty
    }

    It 'HoldsEveryErrorIdTheTestsExpect' {
        $expected = Get-ChildItem -LiteralPath (Join-Path $repository 'tests/Pester') -Filter *.ps1 |
            Select-String -Pattern "'(\w+),KdcHa\.Commands\.\w+Command'" -AllMatches |
            ForEach-Object { $_.Matches.Groups | Where-Object Name -EQ 1 | ForEach-Object Value } | Sort-Object -Unique
        $expected.Count | Should -BeGreaterThan 10
        @($expected | Where-Object { $_ -notin $catalogue.Keys -and $_ -notin $powershellIds }) | Should -BeNullOrEmpty
    }

    It 'HoldsEveryErrorIdTheHelpListsAndTheHelpListsEveryOne' {
        # The ErrorId paragraphs of the cmdlet pages: "Errors (FullyQualifiedErrorId prefix ...", Move-KdcVip's
        # "Direct mode errors" and Get-VrrpState's list. Parameter and cmdlet names (after a '-') are not ids.
        $notIds = 'ErrorId', 'FullyQualifiedErrorId', 'KdcHa', 'PowerShell', 'VirtualRouterId'
        $documented = foreach ($page in Get-ChildItem -LiteralPath (Join-Path $repository 'docs') -Filter *-*.md) {
            $text = Get-Content -LiteralPath $page.FullName -Raw
            foreach ($paragraph in [regex]::Matches($text, '(?ms)^(?:Errors \(FullyQualifiedErrorId|Direct mode errors|The command cannot continue).*?(?=^\s*$\n(?!- ))')) {
                [regex]::Matches($paragraph.Value, '(?<![-\w])[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b').Value |
                    Where-Object { $_ -notin $notIds -and $_ -notlike '*Command' }
            }
        }
        $documented = @($documented | Sort-Object -Unique)
        @($documented | Where-Object { $_ -notin $catalogue.Keys }) | Should -BeNullOrEmpty -Because 'the help names only catalogue ids'
        @($catalogue.Keys | Where-Object { $_ -notin $documented } | Sort-Object) | Should -BeNullOrEmpty -Because 'every catalogue id is in some cmdlet''s help'
    }

    It 'WritesIdAndCategoryFromTheCatalogue for <Id>' -ForEach $failures {
        $record = $null
        try { & $Run | Out-Null } catch { $record = $_ }
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId.Split(',')[0] | Should -Be $Id
        $record.CategoryInfo.Category | Should -Be $catalogue[$Id].Category
    }
}
