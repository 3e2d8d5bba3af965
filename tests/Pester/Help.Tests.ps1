# Get-Help works for every cmdlet the built module exports: a synopsis, a description, every parameter described
# and at least one example with code, read from the MAML that build.ps1 converts from docs/*.md. The cmdlets and
# their parameters are discovered from the built module named by KDCHA_MODULE_PATH, never listed by hand.
BeforeDiscovery {
    if (-not $env:KDCHA_MODULE_PATH) {
        throw 'KDCHA_MODULE_PATH is not set: run these tests through ./build.ps1 Test, which builds the module (out/KdcHa/<version>/KdcHa.psd1) and points here.'
    }
    $manifest = Import-PowerShellDataFile -LiteralPath $env:KDCHA_MODULE_PATH
    $discovered = Import-Module $env:KDCHA_MODULE_PATH -Force -PassThru
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    $exportedCmdlets = @(foreach ($name in $manifest.CmdletsToExport) {
            $command = $discovered.ExportedCmdlets[$name]
            if (-not $command) { throw "$name is in CmdletsToExport but the module does not export it." }
            @{ Name = $name; Parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object) }
        })
    if ($exportedCmdlets.Count -eq 0) {
        throw "$env:KDCHA_MODULE_PATH exports no cmdlets: there is no help to test."
    }
}

BeforeAll {
    $module = Import-Module $env:KDCHA_MODULE_PATH -Force -PassThru

    function Get-HelpText([object] $Node) {
        (@($Node | ForEach-Object { $_.Text }) -join "`n").Trim()
    }

    # The running pwsh, whether it is the pwsh executable or 'dotnet pwsh.dll' (the dotnet tool).
    function Invoke-FreshPwsh([string] $Command) {
        $exe = [Environment]::ProcessPath
        $prefix = @(if ((Split-Path -Leaf $exe) -match '^dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        & $exe @prefix -NoProfile -NonInteractive -Command $Command
    }
}

Describe 'Get-Help <Name> -Full' -ForEach $exportedCmdlets {
    BeforeAll {
        $command = Get-Command -Name $Name -Module $module.Name
        $help = Get-Help -Name $Name -Full
    }

    It 'comes from the module''s MAML file' {
        $help.ModuleName | Should -Be $module.Name
        $helpFile = Join-Path $module.ModuleBase "en-US/$([IO.Path]::GetFileName($command.DLL))-Help.xml"
        $helpFile | Should -Exist
        Split-Path -Leaf $command.HelpFile | Should -Be ([IO.Path]::GetFileName($helpFile))
    }

    It 'has a synopsis that is not the generated syntax line' {
        $help.Synopsis.Trim() | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))\s+\["
    }

    It 'has a description' {
        Get-HelpText $help.description | Should -Not -BeNullOrEmpty
    }

    It 'has one syntax entry per parameter set' {
        @($help.syntax.syntaxItem).Count | Should -Be $command.ParameterSets.Count
    }

    It 'describes parameter -<_>' -ForEach $Parameters {
        $parameter = @($help.parameters.parameter | Where-Object name -EQ $_)
        $parameter.Count | Should -Be 1 -Because "-$_ must appear once under PARAMETERS"
        Get-HelpText $parameter[0].description | Should -Not -BeNullOrEmpty -Because "-$_ needs a description"
    }

    It 'documents no parameter the cmdlet lacks' {
        $documented = @($help.parameters.parameter.name)
        $documented | Where-Object { $_ -notin $Parameters } | Should -BeNullOrEmpty
    }

    It 'has at least one example, each with a title and code' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterThan 0
        foreach ($example in $examples) {
            $example.title | Should -Match '\S'
            $example.code | Should -Match '\S' -Because "example '$($example.title)' needs code"
        }
    }
}

Describe 'Help in a fresh pwsh' {
    BeforeAll {
        $script = @'
$module = Import-Module '{0}' -PassThru -ErrorAction Stop
@(foreach ($name in $module.ExportedCmdlets.Keys) {{
    $help = Get-Help $name -Full
    [pscustomobject]@{{ Name = $name; Synopsis = $help.Synopsis; Examples = @($help.examples.example).Count; Text = $help | Out-String -Width 200 }}
}}) | ConvertTo-Json -Depth 3 -Compress -AsArray
'@ -f $env:KDCHA_MODULE_PATH.Replace("'", "''")
        $json = Invoke-FreshPwsh $script
        $fresh = @($json | ConvertFrom-Json)
        $aboutText = (Invoke-FreshPwsh "Import-Module '$($env:KDCHA_MODULE_PATH.Replace("'", "''"))'; Get-Help about_$($module.Name) | Out-String -Width 200") -join "`n"
    }

    It 'shows the full help of <Name> after a plain Import-Module' -ForEach $exportedCmdlets {
        $entry = $fresh | Where-Object Name -EQ $Name
        $entry | Should -Not -BeNullOrEmpty
        $entry.Synopsis | Should -Be (Get-Help $Name).Synopsis
        $entry.Examples | Should -BeGreaterThan 0
        $entry.Text | Should -Match 'EXAMPLE 1|Example 1'
        foreach ($parameter in $Parameters) {
            $entry.Text | Should -Match "-$parameter\b"
        }
    }

    It 'shows about_<module> with its short description' {
        $aboutText | Should -Match "about_$($module.Name)"
        $aboutText | Should -Match 'SHORT DESCRIPTION'
    }
}
