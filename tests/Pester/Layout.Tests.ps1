# What out/KdcHa/<version>/ ships: the module's own assemblies and whatever pwsh lacks, never a copy of an assembly
# pwsh already has (.NET would load its own and ignore ours, or load both and break type identity) and never a
# back-port of an API that net8.0 has.
BeforeAll {
    $moduleBase = Split-Path -Parent (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH)
    $shipped = @(Get-ChildItem -LiteralPath $moduleBase -Filter *.dll -Recurse | ForEach-Object Name)
    $runtimeDirectory = [System.IO.Path]::GetDirectoryName([object].Assembly.Location)
    $pwshAssemblies = @(Get-ChildItem -LiteralPath $runtimeDirectory, $PSHOME -Filter *.dll -Recurse | ForEach-Object Name) +
        @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.Location -notlike "$moduleBase*" } | ForEach-Object { [IO.Path]::GetFileName($_.Location) })
}

Describe 'The laid-out module' {
    It 'ShipsItsOwnAssemblies' {
        $shipped | Should -Contain 'KdcHa.dll'
        $shipped | Should -Contain 'KdcHa.Engine.dll'
        $shipped | Should -Contain 'DnsClient.dll' -Because 'KDC discovery looks up SRV records through DnsClient'
    }

    It 'ShipsTheDscResourceFlatInTheModuleFolderWithTheModuleVersion' {
        Join-Path $moduleBase 'KdcHa.dsc.ps1' | Should -Exist
        $dsc = Get-Content -Raw -LiteralPath (Join-Path $moduleBase 'KdcHa.dsc.resource.json') | ConvertFrom-Json
        $dsc.version | Should -Be (Import-PowerShellDataFile -LiteralPath $env:KDCHA_MODULE_PATH).ModuleVersion
    }

    It 'ShipsNoSystemOrBclBackPort' {
        $shipped | Where-Object { $_ -like 'System.*.dll' -or $_ -like 'Microsoft.Bcl.*.dll' } | Should -BeNullOrEmpty
    }

    It 'ShipsNoAssemblyThatPwshAlreadyHas' {
        $pwshAssemblies | Should -Contain 'System.Management.Automation.dll' -Because "the runtime ($runtimeDirectory) and `$PSHOME ($PSHOME) are where pwsh's own assemblies live"
        $shipped | Where-Object { $_ -in $pwshAssemblies } | Should -BeNullOrEmpty
    }
}
