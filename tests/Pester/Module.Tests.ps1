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
}
